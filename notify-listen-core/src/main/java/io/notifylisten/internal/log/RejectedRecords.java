package io.notifylisten.internal.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The records read from the stream that this node dropped because they do not verify,
 * counted by reason: each at DEBUG, the first at once at WARN, then one WARN per interval
 * that sums them up. Whoever can write to the stream can write garbage as fast as the
 * broker takes it, so nothing may reach the log once per record; a sudden count still
 * shows, and the totals feed a meter.
 */
final class RejectedRecords {

	private static final Log logger = LogFactory.getLog(RejectedRecords.class);

	/** Why a record was dropped. */
	enum Reason {

		/** No signature, or no format: not written by a node of this version or later. */
		UNSIGNED,

		/** A format this node does not know, perhaps of a newer node. */
		UNKNOWN_FORMAT,

		/** A signature that does not verify: another secret, or a changed record. */
		BAD_SIGNATURE;

		/**
		 * Return the reason as a meter tag value.
		 * @return for example {@code bad-signature}
		 */
		String tag() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	private final String stream;

	private final Duration interval;

	private final Clock clock;

	private final Map<Reason, Long> totals = new EnumMap<>(Reason.class);

	private final Map<Reason, Long> sinceReport = new EnumMap<>(Reason.class);

	private Instant nextReport = Instant.MIN;

	RejectedRecords(String stream, Duration interval, Clock clock) {
		this.stream = stream;
		this.interval = interval;
		this.clock = clock;
	}

	/**
	 * Count a dropped record, and log it at DEBUG.
	 * @param reason why it was dropped
	 * @param offset where it is in the stream
	 */
	synchronized void rejected(Reason reason, long offset) {
		this.totals.merge(reason, 1L, Long::sum);
		this.sinceReport.merge(reason, 1L, Long::sum);
		if (logger.isDebugEnabled()) {
			logger.debug("Dropped the record at offset " + offset + " of the " + this.stream + ": " + reason.tag());
		}
		reportIfDue();
	}

	/**
	 * Log one WARN with what was dropped since the last one, once the interval has
	 * passed.
	 */
	synchronized void reportIfDue() {
		Instant now = this.clock.instant();
		if (this.sinceReport.isEmpty() || now.isBefore(this.nextReport)) {
			return;
		}
		StringJoiner counts = new StringJoiner(", ");
		this.sinceReport.forEach((reason, count) -> counts.add(reason.tag() + " x" + count));
		this.sinceReport.clear();
		this.nextReport = now.plus(this.interval);
		logger.warn("Dropped records of the " + this.stream + " that do not carry this application's signature ("
				+ counts + "; each at DEBUG on " + RejectedRecords.class.getName() + "): something other than "
				+ "this application's nodes writes to the stream, a node has another notify-listen.secret, or "
				+ "the records are older than signing (a version before it wrote them). At "
				+ "most one such line every " + this.interval.toMinutes() + " min");
	}

	/**
	 * Return how many records were dropped since this node started, by reason.
	 * @return every reason's meter tag and count, zero included
	 */
	synchronized Map<String, Long> totals() {
		Map<String, Long> totals = new LinkedHashMap<>();
		for (Reason reason : Reason.values()) {
			totals.put(reason.tag(), this.totals.getOrDefault(reason, 0L));
		}
		return totals;
	}

}
