package io.notifylisten.internal.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

import io.notifylisten.notify.PayloadRecords;
import io.notifylisten.notify.Progress;
import io.notifylisten.notify.ProgressUpdate;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.Assert;

/**
 * {@link Progress} that sends at most one update per interval and keeps the newest update
 * waiting meanwhile, flushed by the scheduler when the interval has passed, so the last
 * value always arrives even if the work goes quiet.
 */
final class CoalescingProgress implements Progress {

	/** Sends one message at once, outside any transaction. */
	interface Sender {

		void send(String action, Map<String, Object> payload);

	}

	private final Sender sender;

	private final Duration interval;

	private final TaskScheduler scheduler;

	private final Clock clock;

	private Instant lastSent = Instant.MIN;

	private int percent;

	private @Nullable Map<String, Object> pending;

	private @Nullable ScheduledFuture<?> flush;

	private boolean finished;

	CoalescingProgress(Sender sender, Duration interval, TaskScheduler scheduler, Clock clock) {
		this.sender = sender;
		this.interval = interval;
		this.scheduler = scheduler;
		this.clock = clock;
	}

	@Override
	public synchronized void update(int percent, String text) {
		Assert.isTrue(percent >= 0 && percent <= 100, () -> "Percent must be 0 to 100, not " + percent);
		this.percent = percent;
		offer(payload(percent, text, false));
	}

	@Override
	public synchronized void busy(String text) {
		offer(payload(this.percent, text, true));
	}

	@Override
	public synchronized void done(String text) {
		finish("done", payload(100, text, false));
	}

	@Override
	public synchronized void failed(String text) {
		finish("failed", payload(this.percent, text, false));
	}

	private void offer(Map<String, Object> payload) {
		if (this.finished) {
			return;
		}
		Instant now = this.clock.instant();
		if (this.pending == null && !now.isBefore(this.lastSent.plus(this.interval))) {
			send("progress", payload, now);
			return;
		}
		this.pending = payload;
		if (this.flush == null) {
			this.flush = this.scheduler.schedule(this::flush, this.lastSent.plus(this.interval));
		}
	}

	private synchronized void flush() {
		this.flush = null;
		if (this.pending != null && !this.finished) {
			Map<String, Object> payload = this.pending;
			this.pending = null;
			send("progress", payload, this.clock.instant());
		}
	}

	private void finish(String action, Map<String, Object> payload) {
		if (this.finished) {
			return;
		}
		this.finished = true;
		this.pending = null;
		if (this.flush != null) {
			this.flush.cancel(false);
			this.flush = null;
		}
		this.sender.send(action, payload);
	}

	private void send(String action, Map<String, Object> payload, Instant now) {
		this.lastSent = now;
		this.sender.send(action, payload);
	}

	private static Map<String, Object> payload(int percent, String text, boolean busy) {
		return PayloadRecords.toMap(new ProgressUpdate(percent, text, busy));
	}

}
