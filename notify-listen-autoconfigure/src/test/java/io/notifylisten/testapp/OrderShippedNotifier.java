package io.notifylisten.testapp;

import io.notifylisten.notify.Notifier;

import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Notifies an order's listeners once its shipment has committed, as applications that
 * already publish domain events do: the listener runs in the transaction's
 * {@code afterCommit}, its default phase.
 */
@Component
class OrderShippedNotifier {

	private final Notifier notifier;

	OrderShippedNotifier(Notifier notifier) {
		this.notifier = notifier;
	}

	@TransactionalEventListener
	void shipped(OrderShipped event) {
		this.notifier.notify("Order", event.id(), "shipped");
	}

}
