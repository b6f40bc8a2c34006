package io.notifylisten.sample.order;

/**
 * Thrown when a user asks for an order the entity access rules keep from them.
 */
public class OrderAccessDeniedException extends RuntimeException {

	OrderAccessDeniedException(String message) {
		super(message);
	}

}
