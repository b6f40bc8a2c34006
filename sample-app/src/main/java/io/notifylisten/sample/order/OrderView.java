package io.notifylisten.sample.order;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order as a page shows it.
 *
 * @param id order id
 * @param customer customer name
 * @param status current status
 * @param amount amount in euros
 * @param lastChangedBy username of the last user who saved it
 * @param changedAt when it was last saved
 */
public record OrderView(long id, String customer, OrderStatus status, BigDecimal amount, String lastChangedBy,
		Instant changedAt) {

	static OrderView of(ShopOrder order) {
		return new OrderView(order.getId(), order.getCustomer(), order.getStatus(), order.getAmount(),
				order.getLastChangedBy(), order.getChangedAt());
	}

}
