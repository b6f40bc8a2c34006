package io.notifylisten.internal.log;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;

/**
 * The notification log of a single node: a notification is numbered and delivered to this
 * node's connections in the caller's thread, so {@code append} returns once it has been
 * handed to them. Offsets count from 1 for as long as the node runs; the history's epoch
 * is new with every start.
 */
public class InMemoryNotificationLog implements NotificationLog {

	private final LocalDelivery delivery;

	private final Clock clock;

	private final AtomicLong offsets = new AtomicLong();

	public InMemoryNotificationLog(LocalDelivery delivery, Clock clock) {
		this.delivery = delivery;
		this.clock = clock;
		delivery.readFrom(1);
	}

	@Override
	public void append(LoggedNotification notification) {
		// Offsets are taken while the channel is held, so each channel's grow in the
		// order it is sent.
		this.delivery.deliver(notification, this.offsets::incrementAndGet, this.clock.instant());
	}

}
