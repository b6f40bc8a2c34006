package io.notifylisten.testapp;

import java.util.Map;

import io.notifylisten.notify.Notifier;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ships an order over HTTP and tells the other pages, not the one that asked; saves
 * numbered changes of an order, each in a transaction of its own.
 */
@RestController
class OrderController {

	private final Notifier notifier;

	private final OrderService orders;

	OrderController(Notifier notifier, OrderService orders) {
		this.notifier = notifier;
		this.orders = orders;
	}

	@PostMapping("/orders/{id}/ship")
	void ship(@PathVariable long id) {
		this.notifier.toOthers().notify("Order", id, "shipped", Map.of("by", "http"));
	}

	// One transaction per request, committed or, with rollBack, rolled back (answered
	// 409).
	@PostMapping("/orders/{id}/numbered/{n}")
	ResponseEntity<Void> saveNumbered(@PathVariable long id, @PathVariable int n,
			@RequestParam(defaultValue = "false") boolean rollBack) {
		try {
			if (rollBack) {
				this.orders.saveNumberedThenFail(id, n);
			}
			else {
				this.orders.saveNumbered(id, n);
			}
			return ResponseEntity.ok().build();
		}
		catch (IllegalStateException ex) {
			return ResponseEntity.status(HttpStatus.CONFLICT).build();
		}
	}

}
