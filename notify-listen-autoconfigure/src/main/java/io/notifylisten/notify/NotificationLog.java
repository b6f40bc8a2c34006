package io.notifylisten.notify;

/**
 * Where every notification goes before any page receives it: an ordered log that each node reads
 * and delivers from to its own connections. One node keeps it in memory; several share a RabbitMQ
 * stream.
 */
public interface NotificationLog {

	/**
	 * Append a notification. Returns once the notification will reach every node's listeners: it is
	 * delivered, stored by the broker, or held to be published when the broker is back.
	 * @param notification the notification
	 * @throws NotificationFailedException when the log cannot take it; nothing was delivered
	 */
	void append(LoggedNotification notification);

}
