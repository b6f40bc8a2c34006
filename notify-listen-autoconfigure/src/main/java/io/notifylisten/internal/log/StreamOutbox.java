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

/**
 * The notifications accepted for the stream and not yet confirmed by the broker, oldest first.
 * They are published from the head in batches and leave only once confirmed, so that nothing
 * accepted is lost and every node reads them in the order they were accepted.
 */
final class StreamOutbox {

	private final int maxSize;

	private final Duration maxAge;

	private final Clock clock;

	private final Deque<Pending> pending = new ArrayDeque<>();

	private boolean closed;

	StreamOutbox(int maxSize, Duration maxAge, Clock clock) {
		this.maxSize = maxSize;
		this.maxAge = maxAge;
		this.clock = clock;
	}

	/**
	 * Accept a notification, or refuse it when the outbox is full, closed, or its oldest
	 * notification has waited longer than allowed.
	 */
	Pending add(LoggedNotification notification) {
		return add(UUID.randomUUID().toString(), notification);
	}

	/** Accept a notification under an id its caller chose, such as the row of a database outbox. */
	synchronized Pending add(String id, LoggedNotification notification) {
		String refusal = refusal();
		if (refusal != null) {
			throw new NotificationFailedException("Notification " + notification.message().channel()
					+ " was not sent: " + refusal);
		}
		Pending added = new Pending(id, notification, this.clock.instant());
		this.pending.addLast(added);
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
	 * Wait until something waits to be published, and return up to {@code max} of the oldest,
	 * without removing them; an empty list once the outbox is closed and empty, or after the wait.
	 */
	synchronized List<Pending> head(int max, Duration wait) throws InterruptedException {
		if (this.pending.isEmpty() && !this.closed) {
			wait(wait.toMillis());
		}
		List<Pending> head = new ArrayList<>(Math.min(max, this.pending.size()));
		for (Pending next : this.pending) {
			if (head.size() == max) {
				break;
			}
			head.add(next);
		}
		return head;
	}

	/**
	 * Remove the confirmed notifications at the head, up to the first one that was not confirmed:
	 * confirmed ones behind it stay until it is confirmed too, so that the head is always the
	 * oldest notification not yet in the stream.
	 * @return how many left the outbox
	 */
	synchronized int removeConfirmedHead() {
		int removed = 0;
		while (!this.pending.isEmpty() && this.pending.peekFirst().isConfirmed()) {
			this.pending.removeFirst();
			removed++;
		}
		notifyAll();
		return removed;
	}

	synchronized int size() {
		return this.pending.size();
	}

	synchronized boolean isFull() {
		return refusal() != null && !this.closed;
	}

	/** Refuse further notifications; those already accepted may still be published. */
	synchronized void close() {
		this.closed = true;
		notifyAll();
	}

	/** Wait until every accepted notification has been published, at most {@code timeout}. */
	synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!this.pending.isEmpty()) {
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
	 * @param id identifies the notification across publishing attempts, so that readers drop a
	 * copy published again after a lost confirmation
	 * @param notification the notification
	 * @param acceptedAt when notify accepted it
	 * @param confirmation completed once the broker confirmed it
	 */
	record Pending(String id, LoggedNotification notification, Instant acceptedAt,
			CompletableFuture<Void> confirmation) {

		Pending(String id, LoggedNotification notification, Instant acceptedAt) {
			this(id, notification, acceptedAt, new CompletableFuture<>());
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
