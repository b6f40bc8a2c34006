package io.notifylisten.notify;

/**
 * A notification's payload is larger than {@code notify-listen.payload.max-size}:
 * payloads are for a few values a page shows at once, and anything bigger belongs behind
 * the listener's own reload.
 */
public class PayloadTooLargeException extends IllegalArgumentException {

	public PayloadTooLargeException(String message) {
		super(message);
	}

}
