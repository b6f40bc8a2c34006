package io.notifylisten.internal.log;

import java.util.Map;

import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

/**
 * A notification as it is written to the stream, as JSON: with the id that lets readers
 * drop a copy published twice. A record without a destination is a node's start marker,
 * which every reader skips.
 *
 * @param id the notification's id, or the marker's
 * @param destination the broker destination, {@code null} for a marker
 * @param headers the targeting headers and the trace context
 * @param message the message, {@code null} for a marker
 */
record StreamRecord(String id, @Nullable String destination, Map<String, String> headers,
		@Nullable NotifyMessage message) {

	static StreamRecord marker(String id) {
		return new StreamRecord(id, null, Map.of(), null);
	}

	boolean isMarker() {
		return this.destination == null || this.message == null;
	}

	static StreamRecord of(StreamOutbox.Pending pending) {
		LoggedNotification notification = pending.notification();
		return new StreamRecord(pending.id(), notification.destination(), notification.headers(),
				notification.message());
	}

	LoggedNotification notification() {
		return new LoggedNotification(this.destination, this.headers, this.message);
	}

}
