package io.notifylisten.internal.log;

import java.time.Instant;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.micrometer.observation.ObservationRegistry;
import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.internal.notify.NotificationObservations;
import io.notifylisten.internal.presence.ClusterPresence;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.simp.SimpMessageSendingOperations;

/**
 * Hands what the notification log delivers to this node's own connections: a channel's
 * message is numbered with its log offset and kept in the history, then every message
 * goes to the embedded broker, which fans it out to the subscribed connections.
 */
public class LocalDelivery {

	private final Supplier<SimpMessageSendingOperations> messagingTemplate;

	private final ChannelDestinations destinations;

	private final @Nullable ChannelHistory history;

	private final Supplier<@Nullable ClusterPresence> presence;

	private final Supplier<ObservationRegistry> observationRegistry;

	/**
	 * Create a delivery.
	 * @param messagingTemplate sends to the embedded broker; asked for at the first
	 * delivery, so that making the notifier does not make the broker, its configuration
	 * and the access rules, which an application class that injects the notifier may
	 * declare itself
	 * @param destinations tells a channel's destination from the others
	 * @param history numbers and keeps channel messages for recovery, or {@code null} for
	 * none
	 */
	public LocalDelivery(Supplier<SimpMessageSendingOperations> messagingTemplate, ChannelDestinations destinations,
			@Nullable ChannelHistory history) {
		this(messagingTemplate, destinations, history, () -> null, () -> ObservationRegistry.NOOP);
	}

	/**
	 * Create a delivery that hands presence records to this node's presence and observes
	 * each delivery ({@value NotificationObservations#DELIVERY}), as part of the trace
	 * that notified it.
	 * @param messagingTemplate sends to the embedded broker; asked for at the first
	 * delivery (see above)
	 * @param destinations tells a channel's destination from the others
	 * @param history numbers and keeps channel messages for recovery, or {@code null} for
	 * none
	 * @param presence the presence, asked for at each presence record, or giving
	 * {@code null} for none: it writes to the log itself, so it cannot be made before
	 * this delivery
	 * @param observationRegistry the registry, asked for at each delivery
	 */
	public LocalDelivery(Supplier<SimpMessageSendingOperations> messagingTemplate, ChannelDestinations destinations,
			@Nullable ChannelHistory history, Supplier<@Nullable ClusterPresence> presence,
			Supplier<ObservationRegistry> observationRegistry) {
		this.messagingTemplate = messagingTemplate;
		this.destinations = destinations;
		this.history = history;
		this.presence = presence;
		this.observationRegistry = observationRegistry;
	}

	/**
	 * Deliver a notification to this node's connections.
	 * @param notification the notification
	 * @param offset gives its offset in the log, asked for once and only for a channel's
	 * message
	 * @param appendedAt when it was appended to the log
	 */
	public void deliver(LoggedNotification notification, LongSupplier offset, Instant appendedAt) {
		if (toPresence(notification, null)) {
			return;
		}
		NotificationObservations.delivering(this.observationRegistry.get(), notification).observe(() -> {
			ChannelName channel = channelOf(notification);
			if (channel == null) {
				send(notification, notification.message());
				return;
			}
			this.history.append(channel, notification.message(), offset, appendedAt,
					(numbered) -> send(notification, numbered));
		});
	}

	/**
	 * Keep a channel's notification in the history without sending it: one appended to
	 * the log before this node started reading it, which its connections did not wait for
	 * live.
	 * @param notification the notification
	 * @param offset its offset in the log
	 * @param appendedAt when it was appended to the log
	 */
	public void remember(LoggedNotification notification, long offset, Instant appendedAt) {
		if (toPresence(notification, appendedAt)) {
			return;
		}
		ChannelName channel = channelOf(notification);
		if (channel != null) {
			this.history.append(channel, notification.message(), () -> offset, appendedAt, (numbered) -> {
			});
		}
	}

	/**
	 * Say that the log is read from {@code offset} on, before anything was read from it.
	 * @param offset the log's first offset
	 */
	public void readFrom(long offset) {
		if (this.history != null) {
			this.history.readFrom(offset);
		}
	}

	/**
	 * Say that the log has been read up to {@code offset}, whatever the record there, so
	 * that positions given to pages include it.
	 * @param offset the offset read
	 */
	public void read(long offset) {
		if (this.history != null) {
			this.history.read(offset);
		}
	}

	/**
	 * Hold recoveries until {@link #caughtUp()}: this node reads the log from the past
	 * first.
	 */
	public void startCatchingUp() {
		if (this.history != null) {
			this.history.startCatchingUp();
		}
	}

	/**
	 * Let recoveries go ahead: what the log held when this node started has been read.
	 */
	public void caughtUp() {
		if (this.history != null) {
			this.history.caughtUp();
		}
	}

	/**
	 * Return whether a notification is one of the records by which nodes share who is
	 * present.
	 * @param notification what was appended to the log
	 * @return whether it goes to presence rather than to connections
	 */
	public boolean carriesPresence(LoggedNotification notification) {
		return this.destinations.presenceRecords().equals(notification.destination());
	}

	private boolean toPresence(LoggedNotification notification, @Nullable Instant appendedAt) {
		if (!carriesPresence(notification)) {
			return false;
		}
		ClusterPresence presence = this.presence.get();
		if (presence != null) {
			presence.accept(notification.message(), appendedAt);
		}
		return true;
	}

	private @Nullable ChannelName channelOf(LoggedNotification notification) {
		return (this.history != null) ? this.destinations.channelOrNull(notification.destination()) : null;
	}

	private void send(LoggedNotification notification, NotifyMessage message) {
		Map<String, Object> targeting = NotificationObservations.withoutTraceContext(notification.headers());
		this.messagingTemplate.get()
			.convertAndSend(notification.destination(), message, targeting.isEmpty() ? null : targeting);
	}

}
