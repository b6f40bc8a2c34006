package io.notifylisten.notify;

/**
 * A notification could not be handed to the message broker, for example because the external
 * broker is unreachable. Nothing was delivered; the caller decides whether to retry or tell the user.
 * Inside a transaction it surfaces from the commit, after the data was committed.
 */
public class NotificationFailedException extends RuntimeException {

	public NotificationFailedException(String message, Throwable cause) {
		super(message, cause);
	}

}
