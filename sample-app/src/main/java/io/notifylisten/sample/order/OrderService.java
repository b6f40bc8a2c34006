package io.notifylisten.sample.order;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import io.notifylisten.security.EntityAccessPolicy;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads and saves orders for a user; {@link ShopOrder} tells every page showing an order
 * that it changed.
 */
@Service
public class OrderService {

	static final String ENTITY = "Order";

	private final ShopOrderRepository orders;

	private final EntityAccessPolicy accessPolicy;

	private final Clock clock = Clock.systemUTC();

	OrderService(ShopOrderRepository orders, EntityAccessPolicy accessPolicy) {
		this.orders = orders;
		this.accessPolicy = accessPolicy;
	}

	/**
	 * Return the orders a user may read.
	 * @param user the user
	 * @return the orders, by id
	 */
	@Transactional(readOnly = true)
	public List<OrderView> visibleTo(Authentication user) {
		return this.orders.findAll()
			.stream()
			.filter((order) -> canRead(user, order.getId()))
			.map(OrderView::of)
			.sorted((a, b) -> Long.compare(a.id(), b.id()))
			.toList();
	}

	/**
	 * Return one order.
	 * @param user the user
	 * @param id order id
	 * @return the order, or empty if there is none
	 * @throws OrderAccessDeniedException if the user may not read it
	 */
	@Transactional(readOnly = true)
	public Optional<OrderView> find(Authentication user, long id) {
		requireRead(user, id);
		return this.orders.findById(id).map(OrderView::of);
	}

	/**
	 * Save a new status and amount. Listeners hear of it after commit, and only then, so
	 * the order their {@code @NotifyListen} handler loads is the saved one.
	 * @param user the user saving
	 * @param id order id
	 * @param status new status
	 * @param amount new amount
	 * @return the saved order, or empty if there is none
	 * @throws OrderAccessDeniedException if the user may not read it
	 */
	@Transactional
	public Optional<OrderView> save(Authentication user, long id, OrderStatus status, BigDecimal amount) {
		requireRead(user, id);
		return this.orders.findById(id).map((order) -> {
			// ShopOrder's @NotifiesChanges sends Order/<id>/refresh once this commits.
			order.change(status, amount, user.getName(), this.clock.instant());
			return OrderView.of(order);
		});
	}

	/**
	 * Place a new order. Listeners to every order hear of it after commit, each if their
	 * user may read it.
	 * @param user the user placing it
	 * @param customer customer name
	 * @param amount amount
	 * @return the new order
	 */
	@Transactional
	public OrderView create(Authentication user, String customer, BigDecimal amount) {
		// The next id after the highest: the seeded orders keep the ids the pages link
		// to.
		// Two orders placed at the same instant may clash, which a demo on one machine
		// can afford; an application would take ids from a sequence.
		long id = this.orders.findTopByOrderByIdDesc().map(ShopOrder::getId).orElse(0L) + 1;
		ShopOrder order = new ShopOrder(id, customer, OrderStatus.NEW, amount, user.getName(), this.clock.instant());
		// ShopOrder's @NotifiesChanges sends Order/<id>/refresh once this commits.
		return OrderView.of(this.orders.save(order));
	}

	private void requireRead(Authentication user, long id) {
		if (!canRead(user, id)) {
			throw new OrderAccessDeniedException("Not allowed to read Order " + id);
		}
	}

	private boolean canRead(Authentication user, long id) {
		return this.accessPolicy.canRead(user, ENTITY, String.valueOf(id));
	}

}
