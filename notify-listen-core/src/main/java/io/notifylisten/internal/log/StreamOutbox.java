package io.notifylisten.internal.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import org.jspecify.annotations.Nullable;

/**
 * The notifications accepted for the stream and not yet confirmed by the broker, oldest
 * first. They are published from the head in batches and leave only once confirmed, so
 * that nothing accepted is lost and every node reads them in the order they were
 * accepted.
 *
 * <p>
 * Presence records wait apart, in a queue of their own with its own bound: they are
 * state, not a history, so a node's snapshot replaces its records before it, and one
 * user's joins and leaves during an outage never take the room that notify's callers were
 * promised.
 */
final class StreamOutbox {

	private final int maxSize;

	private final Duration maxAge;

	private final int maxPresence;

	private final Clock clock;

	private final Deque<Pending> pending = new ArrayDeque<>();

	private final Deque<Pending> presence = new ArrayDeque<>();

	private boolean closed;

	/**
	 * Create an outbox.
	 * @param maxSize most notifications held
	 * @param maxAge longest the oldest notification may wait before no more are accepted
	 * @param maxPresence most presence records held; a snapshot is taken in any case and
	 * replaces its node's earlier records
	 * @param clock ages held notifications
	 */
	StreamOutbox(int maxSize, Duration maxAge, int maxPresence, Clock clock) {
		this.maxSize = maxSize;
		this.maxAge = maxAge;
		this.maxPresence = maxPresence;
		this.clock = clock;
	}

	/**
	 * Accept a notification, or refuse it when the outbox is full, closed, or its oldest
	 * notification has waited longer than allowed.
	 */
	Pending add(LoggedNotification notification) {
		return add(UUID.randomUUID().toString(), notification);
	}

	/**
	 * Accept a notification under an id its caller chose, such as the row of a database
	 * outbox.
	 */
	synchronized Pending add(String id, LoggedNotification notification) {
		String refusal = refusal();
		if (refusal != null) {
			throw new NotificationFailedException(
					"Notification " + notification.message().channel() + " was not sent: " + refusal);
		}
		Pending added = new Pending(id, notification, this.clock.instant());
		this.pending.addLast(added);
		notifyAll();
		return added;
	}

	/**
	 * Accept a presence record. One that replaces its node's earlier records (a snapshot)
	 * is always taken, and those it replaces leave; any other is refused once
	 * {@code maxPresence} wait, and the node's next snapshot carries what it said.
	 * @param record the record
	 * @param node the node that wrote it
	 * @param replacesEarlier whether it says all there is to know of its node
	 */
	synchronized Pending addPresence(LoggedNotification record, String node, boolean replacesEarlier) {
		if (this.closed) {
			throw new NotificationFailedException("Presence was not sent: the application is shutting down");
		}
		if (replacesEarlier) {
			// One that is being published goes on; its confirmation then finds nothing to
			// remove.
			this.presence.removeIf((held) -> node.equals(held.node()));
		}
		else if (this.presence.size() >= this.maxPresence) {
			throw new NotificationFailedException("Presence was not sent: " + this.presence.size()
					+ " presence records already wait for RabbitMQ; the node's next snapshot replaces them");
		}
		Pending added = new Pending(UUID.randomUUID().toString(), record, this.clock.instant(), node);
		this.presence.addLast(added);
		notifyAll();
		return added;
	}

	private String refusal() {
		if (this.closed) {
			return "the application is shutting down";
		}
		if (this.pending.size() >= this.maxSize) {
			return this.pending.size() + " notifications already wait for RabbitMQ, the most "
					+ "notify-listen.stream.outbox.max-size allows";
		}
		Pending oldest = this.pending.peekFirst();
		if (oldest != null && oldest.acceptedAt().plus(this.maxAge).isBefore(this.clock.instant())) {
			return "the oldest notification has waited for RabbitMQ since " + oldest.acceptedAt()
					+ ", longer than notify-listen.stream.outbox.max-age (" + this.maxAge + ")";
		}
		return null;
	}

	/**
	 * Wait until something waits to be published, and return up to {@code max} of the
	 * oldest, without removing them; an empty list once the outbox is closed and empty,
	 * or after the wait. Presence records come first: they are few, and each order is
	 * kept within its own kind.
	 */
	synchronized List<Pending> head(int max, Duration wait) throws InterruptedException {
		if (isEmpty() && !this.closed && !wait.isZero()) {
			wait(wait.toMillis());
		}
		List<Pending> head = new ArrayList<>(Math.min(max, this.presence.size() + this.pending.size()));
		for (Deque<Pending> kind : List.of(this.presence, this.pending)) {
			for (Pending next : kind) {
				if (head.size() == max) {
					return head;
				}
				head.add(next);
			}
		}
		return head;
	}

	/**
	 * Remove the confirmed notifications at the head, up to the first one that was not
	 * confirmed: confirmed ones behind it stay until it is confirmed too, so that the
	 * head is always the oldest notification not yet in the stream.
	 * @return how many left the outbox
	 */
	synchronized int removeConfirmedHead() {
		int removed = 0;
		for (Deque<Pending> kind : List.of(this.presence, this.pending)) {
			while (!kind.isEmpty() && kind.peekFirst().isConfirmed()) {
				kind.removeFirst();
				removed++;
			}
		}
		notifyAll();
		return removed;
	}

	/** Return how many notifications wait, presence records aside. */
	synchronized int size() {
		return this.pending.size();
	}

	synchronized int presenceSize() {
		return this.presence.size();
	}

	/** Return whether nothing waits, neither notifications nor presence records. */
	synchronized boolean isEmpty() {
		return this.pending.isEmpty() && this.presence.isEmpty();
	}

	synchronized boolean isFull() {
		return refusal() != null && !this.closed;
	}

	/** Refuse further notifications; those already accepted may still be published. */
	synchronized void close() {
		this.closed = true;
		notifyAll();
	}

	/** Wait until everything accepted has been published, at most {@code timeout}. */
	synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!isEmpty()) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			TimeUnit.NANOSECONDS.timedWait(this, left);
		}
		return true;
	}

	/**
	 * A notification waiting for the broker's confirmation.
	 *
	 * @param id identifies the notification across publishing attempts, so that readers
	 * drop a copy published again after a lost confirmation
	 * @param notification the notification
	 * @param acceptedAt when notify accepted it
	 * @param node the node that wrote it, for a presence record; {@code null} for a
	 * notification
	 * @param confirmation completed once the broker confirmed it
	 */
	record Pending(String id, LoggedNotification notification, Instant acceptedAt, @Nullable String node,
			CompletableFuture<Void> confirmation) {

		Pending(String id, LoggedNotification notification, Instant acceptedAt) {
			this(id, notification, acceptedAt, null, new CompletableFuture<>());
		}

		Pending(String id, LoggedNotification notification, Instant acceptedAt, String node) {
			this(id, notification, acceptedAt, node, new CompletableFuture<>());
		}

		void confirmed() {
			this.confirmation.complete(null);
		}

		boolean isConfirmed() {
			return this.confirmation.isDone();
		}

		boolean awaitConfirmation(Duration timeout) throws InterruptedException {
			try {
				this.confirmation.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
				return true;
			}
			catch (TimeoutException | ExecutionException ex) {
				return false;
			}
		}

	}

}
