package io.notifylisten.testapp;

import java.util.Map;

import io.notifylisten.notify.Notifier;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ships an order over HTTP and tells the other pages, not the one that asked.
 */
@RestController
class OrderController {

	private final Notifier notifier;

	OrderController(Notifier notifier) {
		this.notifier = notifier;
	}

	@PostMapping("/orders/{id}/ship")
	void ship(@PathVariable long id) {
		this.notifier.toOthers().notify("Order", id, "shipped", Map.of("by", "http"));
	}

}
