package io.notifylisten.benchmark.client;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the messages of one measurement and keeps each one's notify-to-receive latency.
 * Fixed capacity: deliveries beyond it are counted (as duplicates or strays) but not
 * timed.
 */
public final class DeliveryRecorder {

	private final long[] latencyMicros;

	private final AtomicInteger count = new AtomicInteger();

	private volatile long lastNanos;

	private final AtomicLong folded = new AtomicLong();

	private final AtomicLong handlerCalls = new AtomicLong();

	public DeliveryRecorder(int capacity) {
		this.latencyMicros = new long[Math.max(1, capacity)];
	}

	/**
	 * Count one message and keep its latency.
	 * @param micros notify-to-receive time in microseconds
	 */
	public void record(long micros) {
		int index = this.count.getAndIncrement();
		if (index < this.latencyMicros.length) {
			this.latencyMicros[index] = micros;
		}
		this.lastNanos = System.nanoTime();
	}

	/**
	 * Count messages the server folded into one that arrived.
	 * @param messages how many it replaced
	 */
	public void recordFolded(int messages) {
		this.folded.addAndGet(messages);
	}

	/** Count a call of a page's handler (see {@link LoadClient#throttle}). */
	public void recordHandlerCall() {
		this.handlerCalls.incrementAndGet();
	}

	/** How many times the pages' handlers ran. */
	public long handlerCalls() {
		return this.handlerCalls.get();
	}

	/** How many messages the server folded into those that arrived. */
	public long folded() {
		return this.folded.get();
	}

	/** How many messages arrived. */
	public int count() {
		return this.count.get();
	}

	/** {@link System#nanoTime()} of the last arrival, or 0. */
	public long lastNanos() {
		return this.lastNanos;
	}

	/**
	 * Wait until at least {@code expected} messages arrived, or the timeout passed.
	 * @return whether they all arrived
	 */
	public boolean awaitCount(long expected, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.count.get() < expected) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(2);
		}
		return true;
	}

	/** Mean latency, in milliseconds, over the messages timed so far. */
	public double meanMillis() {
		int n = Math.min(this.count.get(), this.latencyMicros.length);
		return (n == 0) ? Double.NaN : Arrays.stream(this.latencyMicros, 0, n).average().orElse(0) / 1000.0;
	}

	/** Latency percentiles, in milliseconds, over the messages timed so far. */
	public Latency latency() {
		int n = Math.min(this.count.get(), this.latencyMicros.length);
		long[] sorted = Arrays.copyOf(this.latencyMicros, n);
		Arrays.sort(sorted);
		if (n == 0) {
			return new Latency(Double.NaN, Double.NaN, Double.NaN);
		}
		return new Latency(at(sorted, 0.50), at(sorted, 0.99), sorted[n - 1] / 1000.0);
	}

	private static double at(long[] sorted, double quantile) {
		int index = (int) Math.ceil(quantile * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
	}

	/**
	 * Latency percentiles in milliseconds.
	 *
	 * @param p50 median
	 * @param p99 99th percentile
	 * @param max maximum
	 */
	public record Latency(double p50, double p99, double max) {

	}

}
