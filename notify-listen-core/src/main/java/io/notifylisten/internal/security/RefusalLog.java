package io.notifylisten.internal.security;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * What notify-listen refused from clients, for operators: each refusal at DEBUG, and one
 * WARN per interval that counts them by reason. Anyone can send garbage, so nothing a
 * client sends may reach an operator's log at ERROR or once per frame; a sudden count
 * still shows.
 */
public class RefusalLog implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RefusalLog.class);

	private final Duration interval;

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private final @Nullable TaskScheduler scheduler;

	private @Nullable ScheduledFuture<?> reports;

	/**
	 * Create a log whose summary covers {@code interval}.
	 * @param interval the time between two summaries
	 * @param scheduler runs {@link #report()} every {@code interval} while the log runs,
	 * or {@code null} to leave calling it to the caller
	 */
	public RefusalLog(Duration interval, @Nullable TaskScheduler scheduler) {
		this.interval = interval;
		this.scheduler = scheduler;
	}

	@Override
	public synchronized void start() {
		if (this.scheduler != null && this.reports == null) {
			this.reports = this.scheduler.scheduleAtFixedRate(this::report, this.interval);
		}
	}

	@Override
	public synchronized void stop() {
		if (this.reports != null) {
			this.reports.cancel(false);
			this.reports = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.reports != null;
	}

	/**
	 * Count a refusal and log it at DEBUG.
	 * @param reason the reason the client was told
	 * @param subject what was refused, for the DEBUG line: a command and a session id
	 */
	public void refused(String reason, String subject) {
		this.counts.computeIfAbsent(reason, (key) -> new LongAdder()).increment();
		if (logger.isDebugEnabled()) {
			logger.debug("Refused " + subject + ": " + reason);
		}
	}

	/**
	 * Log one WARN with the refusals counted since the last report, if there were any.
	 */
	public void report() {
		Map<String, Long> since = new TreeMap<>();
		this.counts.forEach((reason, count) -> {
			long value = count.sumThenReset();
			if (value > 0) {
				since.put(reason, value);
			}
		});
		if (!since.isEmpty()) {
			logger.warn("Refused client input in the last " + this.interval.toMinutes() + " min (each at DEBUG on "
					+ RefusalLog.class.getName() + "): "
					+ since.entrySet()
						.stream()
						.map((entry) -> entry.getKey() + " x" + entry.getValue())
						.collect(Collectors.joining(", ")));
		}
	}

}
