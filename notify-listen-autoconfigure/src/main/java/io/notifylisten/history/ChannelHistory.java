package io.notifylisten.history;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

/**
 * Numbers the messages of each channel and keeps the most recent ones, so that a client that lost
 * its connection can be sent what it missed.
 *
 * <p>Bounded three ways: at most {@code size} messages per channel, none older than {@code ttl},
 * and at most {@code maxChannels} channels (the least recently notified are forgotten first). The
 * epoch is new with every start of this node: sequences from before a restart never match.
 */
public class ChannelHistory {

	private final String epoch;

	private final int size;

	private final Duration ttl;

	private final Clock clock;

	private final Map<ChannelName, ChannelLog> logs;

	/**
	 * Create a history.
	 * @param size most messages kept per channel
	 * @param ttl how long a message is kept
	 * @param maxChannels most channels kept
	 * @param clock the clock that ages messages
	 */
	public ChannelHistory(int size, Duration ttl, int maxChannels, Clock clock) {
		byte[] bytes = new byte[8];
		new SecureRandom().nextBytes(bytes);
		this.epoch = HexFormat.of().formatHex(bytes);
		this.size = size;
		this.ttl = ttl;
		this.clock = clock;
		this.logs = new LinkedHashMap<>(64, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<ChannelName, ChannelLog> eldest) {
				return size() > maxChannels;
			}
		};
	}

	/**
	 * Return the epoch of this history.
	 * @return the epoch
	 */
	public String epoch() {
		return this.epoch;
	}

	/**
	 * Number a message, keep it, and send it, all while holding the channel, so that messages leave
	 * in the order of their numbers. If sending fails the message is forgotten again: it was never
	 * sent, and must not be replayed either.
	 * @param channel the channel
	 * @param message the message to number
	 * @param send hands the numbered message to the broker
	 */
	public void append(ChannelName channel, NotifyMessage message, Consumer<NotifyMessage> send) {
		ChannelLog log = logFor(channel, true);
		synchronized (log) {
			long sequence = log.lastSequence + 1;
			NotifyMessage numbered = message.withSequence(this.epoch, sequence);
			Entry entry = new Entry(numbered, this.clock.instant());
			log.entries.addLast(entry);
			log.lastSequence = sequence;
			trim(log);
			try {
				send.accept(numbered);
			}
			catch (RuntimeException ex) {
				log.entries.removeLastOccurrence(entry);
				log.lastSequence = sequence - 1;
				throw ex;
			}
		}
	}

	/**
	 * Work out what a client missed since the last message it received, and hand the answer to
	 * {@code deliver} while holding the channel, so that no newer message is sent in between.
	 * @param channel the channel
	 * @param epoch the epoch of the last message the client received
	 * @param lastSequence the sequence of that message
	 * @param deliver sends the answer to the client
	 */
	public void recover(ChannelName channel, @Nullable String epoch, long lastSequence, Consumer<Recovery> deliver) {
		ChannelLog log = logFor(channel, false);
		if (log == null || !this.epoch.equals(epoch)) {
			deliver.accept(Recovery.failed(this.epoch));
			return;
		}
		synchronized (log) {
			trim(log);
			long firstKept = log.entries.isEmpty() ? log.lastSequence + 1 : log.entries.getFirst().message().sequence();
			if (lastSequence < 0 || lastSequence > log.lastSequence || lastSequence + 1 < firstKept) {
				deliver.accept(Recovery.failed(this.epoch));
				return;
			}
			List<NotifyMessage> missed = log.entries.stream()
				.map(Entry::message)
				.filter((message) -> message.sequence() > lastSequence)
				.toList();
			deliver.accept(new Recovery(true, this.epoch, log.lastSequence, missed));
		}
	}

	private @Nullable ChannelLog logFor(ChannelName channel, boolean create) {
		synchronized (this.logs) {
			ChannelLog log = this.logs.get(channel);
			if (log == null && create) {
				log = new ChannelLog();
				this.logs.put(channel, log);
			}
			return log;
		}
	}

	private void trim(ChannelLog log) {
		Instant oldest = this.clock.instant().minus(this.ttl);
		while (!log.entries.isEmpty()
				&& (log.entries.size() > this.size || log.entries.getFirst().at().isBefore(oldest))) {
			log.entries.removeFirst();
		}
	}

	private static final class ChannelLog {

		private final Deque<Entry> entries = new ArrayDeque<>();

		private long lastSequence;

	}

	private record Entry(NotifyMessage message, Instant at) {

	}

	/**
	 * What a returning client is told.
	 *
	 * @param recovered whether {@code messages} is everything it missed; if not, it should reload
	 * @param epoch the current epoch
	 * @param sequence the channel's latest sequence
	 * @param messages the missed messages, oldest first
	 */
	public record Recovery(boolean recovered, String epoch, long sequence, List<NotifyMessage> messages) {

		static Recovery failed(String epoch) {
			return new Recovery(false, epoch, 0, List.of());
		}

	}

}
