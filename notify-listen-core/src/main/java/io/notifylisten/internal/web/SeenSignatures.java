package io.notifylisten.internal.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The signatures of the publish requests accepted so far, each kept for as long as its
 * timestamp is accepted, up to a bound.
 */
final class SeenSignatures {

	/** What {@link #remember} found. */
	enum Outcome {

		/** Not seen before: the request may go on. */
		FIRST,

		/** Seen before, within its timestamp's window: a replay. */
		REPLAYED,

		/** Not seen before, but there is no room to remember it. */
		FULL

	}

	private record Seen(String signature, Instant forgetAfter) {

	}

	private final Duration window;

	private final int capacity;

	private final Set<String> signatures = new HashSet<>();

	// Timestamps arrive in any order (a request may be stamped up to a window ahead), so
	// the signatures leave by their own deadline, not in the order they came.
	private final PriorityQueue<Seen> deadlines = new PriorityQueue<>(Comparator.comparing(Seen::forgetAfter));

	/**
	 * Create an empty memory.
	 * @param window how far a timestamp may be from the clock
	 * @param capacity most signatures remembered at once
	 */
	SeenSignatures(Duration window, int capacity) {
		this.window = window;
		this.capacity = capacity;
	}

	/**
	 * Remember a signature until its timestamp is no longer accepted: a timestamp is
	 * accepted from one window before it to one window after it, so the signature is kept
	 * until {@code timestamp + window}, however early or late it arrived.
	 * @param signature the request's signature
	 * @param timestamp the request's timestamp, already found within the window of
	 * {@code now}
	 * @param now the clock's time
	 * @return whether it was new, a replay, or could not be remembered
	 */
	synchronized Outcome remember(String signature, Instant timestamp, Instant now) {
		while (!this.deadlines.isEmpty() && this.deadlines.peek().forgetAfter().isBefore(now)) {
			this.signatures.remove(this.deadlines.poll().signature());
		}
		if (this.signatures.contains(signature)) {
			return Outcome.REPLAYED;
		}
		// Refused rather than forgetting one early, which would let that one be replayed.
		if (this.signatures.size() >= this.capacity) {
			return Outcome.FULL;
		}
		this.signatures.add(signature);
		this.deadlines.add(new Seen(signature, timestamp.plus(this.window)));
		return Outcome.FIRST;
	}

	/**
	 * Return how long until the oldest signature is forgotten, and there is room again.
	 * @param now the clock's time
	 * @return the time until then, never negative
	 */
	synchronized Duration untilRoom(Instant now) {
		Seen first = this.deadlines.peek();
		if (first == null || first.forgetAfter().isBefore(now)) {
			return Duration.ZERO;
		}
		return Duration.between(now, first.forgetAfter());
	}

}
