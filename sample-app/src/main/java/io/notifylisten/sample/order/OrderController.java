package io.notifylisten.sample.order;

import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;

import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.Notifier;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The orders API behind the orders pages.
 */
@RestController
class OrderController {

	/**
	 * Response header of {@code GET /api/orders/{id}}: the position of the order's
	 * notifications when it was read, which the page hands to {@code listen}'s
	 * {@code since}.
	 */
	static final String POSITION_HEADER = "X-Notify-Listen-Position";

	private final OrderService orders;

	private final Notifier notifier;

	OrderController(OrderService orders, Notifier notifier) {
		this.orders = orders;
		this.notifier = notifier;
	}

	@GetMapping("/api/orders")
	List<OrderView> list(Authentication user) {
		return this.orders.visibleTo(user);
	}

	@PostMapping("/api/orders")
	ResponseEntity<OrderView> create(@RequestBody NewOrder order, Authentication user) {
		if (order.customer() == null || order.customer().isBlank() || order.customer().length() > 100
				|| order.amount() == null || order.amount().signum() < 0) {
			return ResponseEntity.badRequest().build();
		}
		OrderView created = this.orders.create(user, order.customer().strip(), order.amount());
		return ResponseEntity.created(URI.create("/api/orders/" + created.id())).body(created);
	}

	@GetMapping("/api/orders/{id}")
	ResponseEntity<OrderView> get(@PathVariable long id, Authentication user) {
		// Taken before the order is read: a change saved after the read reaches the page
		// through the recovery from this position, however late it subscribes.
		ListenPosition position = this.notifier.positionOf("Order", id);
		return this.orders.find(user, id)
			.map((order) -> ResponseEntity.ok().header(POSITION_HEADER, position.toString()).body(order))
			.orElseGet(() -> ResponseEntity.notFound().build());
	}

	@PutMapping("/api/orders/{id}")
	ResponseEntity<OrderView> save(@PathVariable long id, @RequestBody OrderUpdate update, Authentication user) {
		if (update.status() == null || update.amount() == null || update.amount().signum() < 0) {
			return ResponseEntity.badRequest().build();
		}
		return ResponseEntity.of(this.orders.save(user, id, update.status(), update.amount()));
	}

	@ExceptionHandler(OrderAccessDeniedException.class)
	ResponseEntity<Map<String, String>> denied(OrderAccessDeniedException ex) {
		return ResponseEntity.status(HttpStatus.FORBIDDEN).body(Map.of("error", ex.getMessage()));
	}

	/**
	 * What the new order form sends.
	 *
	 * @param customer customer name
	 * @param amount amount, not negative
	 */
	record NewOrder(@Nullable String customer, @Nullable BigDecimal amount) {

	}

	/**
	 * What the order form sends.
	 *
	 * @param status new status
	 * @param amount new amount, not negative
	 */
	record OrderUpdate(@Nullable OrderStatus status, @Nullable BigDecimal amount) {

	}

}
