package io.notifylisten.sample.order;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Puts a few orders in the empty in-memory database, so there is something to open.
 */
@Component
class OrderSeeder implements ApplicationRunner {

	private final ShopOrderRepository orders;

	OrderSeeder(ShopOrderRepository orders) {
		this.orders = orders;
	}

	@Override
	@Transactional
	public void run(ApplicationArguments args) {
		if (this.orders.count() > 0) {
			return;
		}
		Instant now = Instant.now();
		this.orders.saveAll(List.of(order(1, "Acme Corporation", OrderStatus.NEW, "1250.00", now),
				order(2, "Globex", OrderStatus.PAID, "89.90", now),
				order(3, "Initech", OrderStatus.NEW, "4300.00", now),
				order(4, "Umbrella", OrderStatus.SHIPPED, "15.50", now),
				order(5, "Stark Industries", OrderStatus.DELIVERED, "999.99", now)));
	}

	private static ShopOrder order(long id, String customer, OrderStatus status, String amount, Instant now) {
		return new ShopOrder(id, customer, status, new BigDecimal(amount), "system", now);
	}

}
