package io.notifylisten.notify;

/**
 * A notification could not be accepted: the local broker refused it, or the notification
 * log's outbox for an unreachable RabbitMQ is full. Nothing was delivered; the caller
 * decides whether to retry or tell the user. Inside a transaction it surfaces from the
 * commit, after the data was committed.
 */
public class NotificationFailedException extends RuntimeException {

	public NotificationFailedException(String message) {
		super(message);
	}

	public NotificationFailedException(String message, Throwable cause) {
		super(message, cause);
	}

}
