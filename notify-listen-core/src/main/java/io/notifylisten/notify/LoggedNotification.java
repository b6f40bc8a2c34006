package io.notifylisten.notify;

import java.util.Map;

/**
 * A notification as the {@link NotificationLog} keeps it: the message, the broker
 * destination it is for, and its headers: those that target it (role, connection, the
 * connection to skip) and the trace context of the request that notified it. A log
 * carries the headers to every node as they are.
 *
 * @param destination the broker destination: a channel's topic, the notices topic or a
 * user's topic
 * @param headers the headers, empty when none
 * @param message the message
 */
public record LoggedNotification(String destination, Map<String, String> headers, NotifyMessage message) {

	public LoggedNotification {
		headers = Map.copyOf(headers);
	}

}
