package io.notifylisten.notify;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where every notification goes before any page receives it: an ordered log that each
 * node reads and delivers from to its own connections. One node keeps it in memory;
 * several share a RabbitMQ stream.
 */
public interface NotificationLog {

	/**
	 * Append a notification. Returns once the notification will reach every node's
	 * listeners: it is delivered, stored by the broker, or held to be published when the
	 * broker is back.
	 * @param notification the notification
	 * @throws NotificationFailedException when the log cannot take it; nothing was
	 * delivered
	 */
	void append(LoggedNotification notification);

	/**
	 * Append notifications in their order. Returns once each will reach every node's
	 * listeners, as {@link #append(LoggedNotification)} does; a log shared by several
	 * nodes publishes them together rather than waiting for the broker after each.
	 * @param notifications the notifications
	 * @throws NotificationFailedException when the log cannot take one; those before it
	 * were appended, the rest were not
	 */
	default void appendAll(List<LoggedNotification> notifications) {
		for (LoggedNotification notification : notifications) {
			append(notification);
		}
	}

	/**
	 * Append a notification that its caller keeps until the log holds it for good, such
	 * as a row of the transactional outbox; returns without waiting for the broker. A log
	 * shared by several nodes carries the id to each of them, and a node that reads an id
	 * twice delivers it once: a notification appended again, after a crash or by a second
	 * node, reaches each listener once.
	 * @param id identifies the notification on every node
	 * @param notification the notification
	 * @return completes once the log holds the notification for good: stored by the
	 * broker, or delivered
	 * @throws NotificationFailedException when the log cannot take it now
	 */
	default CompletableFuture<Void> append(String id, LoggedNotification notification) {
		append(notification);
		return CompletableFuture.completedFuture(null);
	}

}
