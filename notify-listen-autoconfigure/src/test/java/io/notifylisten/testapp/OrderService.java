package io.notifylisten.testapp;

import java.util.Map;

import io.notifylisten.notify.Notifier;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrderService {

	private final ShopOrderRepository orders;

	private final Notifier notifier;

	private final ApplicationEventPublisher events;

	OrderService(ShopOrderRepository orders, Notifier notifier, ApplicationEventPublisher events) {
		this.orders = orders;
		this.notifier = notifier;
		this.events = events;
	}

	/**
	 * Mark an order shipped and tell whoever listens for the event, which
	 * {@link OrderShippedNotifier} notifies after commit.
	 */
	@Transactional
	public void ship(long id) {
		ShopOrder order = this.orders.findById(id).orElseGet(() -> new ShopOrder(id, "new"));
		order.setStatus("shipped");
		this.orders.save(order);
		this.events.publishEvent(new OrderShipped(id));
	}

	@Transactional
	public void shipThenFail(long id) {
		ship(id);
		throw new IllegalStateException("rolled back on purpose");
	}

	@Transactional
	public void save(long id, String status) {
		ShopOrder order = this.orders.findById(id).orElseGet(() -> new ShopOrder(id, status));
		order.setStatus(status);
		this.orders.save(order);
		this.notifier.notify(order, "refresh", Map.of("status", status));
	}

	/**
	 * Save an order and notify its number {@code n}, for the tests that count deliveries.
	 */
	@Transactional
	public void saveNumbered(long id, int n) {
		ShopOrder order = this.orders.findById(id).orElseGet(() -> new ShopOrder(id, "new"));
		order.setStatus("change " + n);
		this.orders.save(order);
		this.notifier.notify(order, "numbered", Map.of("n", n));
	}

	@Transactional
	public void saveNumberedThenFail(long id, int n) {
		saveNumbered(id, n);
		throw new IllegalStateException("rolled back on purpose");
	}

	@Transactional
	public void saveThenFail(long id, String status) {
		save(id, status);
		throw new IllegalStateException("rolled back on purpose");
	}

}
