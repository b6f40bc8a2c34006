package io.notifylisten.internal.history;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the most recent messages of each channel, numbered by their position in the
 * notification log, so that a client that lost its connection can be sent what it missed.
 *
 * <p>
 * A message's sequence is its offset in the log: it grows across all channels, so a
 * channel's sequences have gaps, and every node that reads the same log gives a message
 * the same number. Recovery therefore asks not "is the next number there" but "has this
 * node seen everything on this channel since that offset": it has, unless it started
 * reading after it, or dropped a newer message of the channel (or the whole channel)
 * since.
 *
 * <p>
 * Bounded three ways: at most {@code size} messages per channel, none older than
 * {@code ttl}, and at most {@code maxChannels} channels (the least recently notified are
 * forgotten first).
 */
public class ChannelHistory {

	private static final int CATCH_UP_WAIT_SECONDS = 10;

	/**
	 * How long a recovery waits for this node to read as far as a client's position, on a
	 * log shared by several nodes: another node may have given it a moment before this
	 * node read that far.
	 */
	private static final long READ_UP_TO_WAIT_MILLIS = 2000;

	/**
	 * Most recoveries waiting at once: each holds a thread of the inbound channel, and a
	 * client may send any position, so the others are told to reload at once instead.
	 */
	private static final int MAX_AWAITING_READ = 2;

	private final String epoch;

	private final int size;

	private final Duration ttl;

	private final Clock clock;

	private final Map<ChannelName, ChannelLog> logs;

	// Guarded by logs: the first offset this node has read (everything since is known to
	// it), the newest, and the newest of the channels forgotten beyond maxChannels.
	private long knownFrom = -1;

	private long newest = -1;

	private long forgottenUpTo = -1;

	// Guarded by logs: recoveries waiting for this node to read further.
	private int awaitingRead;

	private volatile CountDownLatch caughtUp = new CountDownLatch(0);

	// Set for a log that several nodes share, number and read from the past.
	private volatile boolean shared;

	/**
	 * Create a history.
	 * @param epoch names the log the offsets belong to; a client's offsets from another
	 * epoch never match
	 * @param size most messages kept per channel
	 * @param ttl how long a message is kept
	 * @param maxChannels most channels kept
	 * @param clock the clock that ages messages
	 */
	public ChannelHistory(String epoch, int size, Duration ttl, int maxChannels, Clock clock) {
		this.epoch = epoch;
		this.size = size;
		this.ttl = ttl;
		this.clock = clock;
		this.logs = new LinkedHashMap<>(64, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<ChannelName, ChannelLog> eldest) {
				if (size() <= maxChannels) {
					return false;
				}
				ChannelHistory.this.forgottenUpTo = Math.max(ChannelHistory.this.forgottenUpTo,
						eldest.getValue().newest);
				return true;
			}
		};
	}

	/**
	 * Return a new random epoch, for a log that lives only as long as this node.
	 * @return the epoch
	 */
	public static String randomEpoch() {
		byte[] bytes = new byte[8];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/**
	 * Make recoveries wait, up to {@value #CATCH_UP_WAIT_SECONDS} s, until
	 * {@link #caughtUp()}: a node that reads a shared log from the past must not tell a
	 * returning client about messages it has not read yet.
	 */
	public void startCatchingUp() {
		this.shared = true;
		this.caughtUp = new CountDownLatch(1);
	}

	/**
	 * Say that this node reads the log from {@code offset} on, before it has read
	 * anything: a log that lives only as long as the node knows everything from its first
	 * offset, so a position taken before the first notification can be recovered from.
	 * @param offset the first offset the log gives
	 */
	public void readFrom(long offset) {
		synchronized (this.logs) {
			if (this.knownFrom < 0) {
				this.knownFrom = offset;
				this.newest = Math.max(this.newest, offset - 1);
			}
		}
	}

	/**
	 * Say that this node has read the log up to {@code offset}, whatever the record there
	 * (a channel's message is counted as it is appended): positions taken from now on
	 * include it.
	 * @param offset the offset read
	 */
	public void read(long offset) {
		seen(offset);
	}

	/**
	 * Return the position of everything this node has read of the log, for a page that is
	 * about to read what it shows: a client that recovers from it is sent every channel
	 * message numbered after it. On a shared log it waits, like recoveries, until this
	 * node has read what the log held when it started.
	 * @return the epoch and the newest offset read
	 */
	public ListenPosition position() {
		awaitCaughtUp();
		synchronized (this.logs) {
			return new ListenPosition(this.epoch, this.newest);
		}
	}

	/**
	 * Let recoveries go ahead: the history holds what the log held when this node
	 * started.
	 */
	public void caughtUp() {
		this.caughtUp.countDown();
	}

	/**
	 * Return the epoch of this history.
	 * @return the epoch
	 */
	public String epoch() {
		return this.epoch;
	}

	/**
	 * Number a message with its log offset, keep it, and send it, all while holding the
	 * channel, so that messages leave in the order of their numbers and a recovery sees
	 * each either kept or sent after it. If sending fails the message is forgotten again:
	 * it was never sent, and must not be replayed either.
	 * @param channel the channel
	 * @param message the message to number
	 * @param offset gives the message's offset in the log; called once, while the channel
	 * is held, so that a log that numbers as it goes numbers each channel's messages in
	 * the order they leave
	 * @param appendedAt when the message was appended to the log; it ages from then
	 * @param send hands the numbered message to the broker
	 */
	public void append(ChannelName channel, NotifyMessage message, LongSupplier offset, Instant appendedAt,
			Consumer<NotifyMessage> send) {
		ChannelLog log = logFor(channel);
		synchronized (log) {
			long sequence = offset.getAsLong();
			seen(sequence);
			NotifyMessage numbered = message.withSequence(this.epoch, sequence);
			Entry entry = new Entry(numbered, appendedAt);
			log.entries.addLast(entry);
			log.newest = sequence;
			trim(log);
			try {
				send.accept(numbered);
			}
			catch (RuntimeException ex) {
				log.entries.removeLastOccurrence(entry);
				throw ex;
			}
		}
	}

	/**
	 * Work out what a client missed since the last message it received, and hand the
	 * answer to {@code deliver} while holding the channel, so that no newer message is
	 * sent in between.
	 * @param channel the channel
	 * @param epoch the epoch of the last message the client received
	 * @param lastSequence the sequence of that message
	 * @param deliver sends the answer to the client
	 */
	public void recover(ChannelName channel, @Nullable String epoch, long lastSequence, Consumer<Recovery> deliver) {
		awaitCaughtUp();
		if (!this.epoch.equals(epoch) || lastSequence < 0) {
			deliver.accept(Recovery.failed(this.epoch));
			return;
		}
		ChannelLog log;
		long knownSince;
		synchronized (this.logs) {
			awaitRead(lastSequence);
			log = this.logs.get(channel);
			// A client ahead of this node (a faster node numbered it, or the log began
			// anew) or from before what this node has read cannot be told that it missed
			// nothing.
			if (this.knownFrom < 0 || lastSequence > this.newest || lastSequence + 1 < this.knownFrom) {
				deliver.accept(Recovery.failed(this.epoch));
				return;
			}
			knownSince = Math.max(this.knownFrom - 1, this.forgottenUpTo);
		}
		if (log == null) {
			// Nothing of this channel since the client's offset, unless it was forgotten
			// after it.
			deliver.accept(lastSequence >= knownSince ? new Recovery(true, this.epoch, lastSequence, List.of())
					: Recovery.failed(this.epoch));
			return;
		}
		synchronized (log) {
			trim(log);
			if (lastSequence < log.droppedUpTo) {
				deliver.accept(Recovery.failed(this.epoch));
				return;
			}
			List<NotifyMessage> missed = log.entries.stream()
				.map(Entry::message)
				.filter((message) -> message.sequence() > lastSequence)
				.toList();
			deliver.accept(new Recovery(true, this.epoch, Math.max(log.newest, lastSequence), missed));
		}
	}

	// Guarded by logs. A client's position from another node of a shared log may be a
	// little ahead of this one; bounded, so that a client from a log that began anew is
	// told to reload.
	private void awaitRead(long lastSequence) {
		if (!this.shared || lastSequence <= this.newest || this.awaitingRead >= MAX_AWAITING_READ) {
			return;
		}
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_UP_TO_WAIT_MILLIS);
		this.awaitingRead++;
		try {
			long left;
			while (lastSequence > this.newest && (left = deadline - System.nanoTime()) > 0) {
				this.logs.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.awaitingRead--;
		}
	}

	private void awaitCaughtUp() {
		try {
			// Bounded: a log that cannot be read answers from what was read, most likely
			// "reload".
			this.caughtUp.await(CATCH_UP_WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private ChannelLog logFor(ChannelName channel) {
		synchronized (this.logs) {
			ChannelLog log = this.logs.get(channel);
			if (log == null) {
				// A channel kept anew knows nothing from before: not what was forgotten
				// with an earlier log of it, nor what came before this node read the log.
				log = new ChannelLog(Math.max(this.forgottenUpTo, this.knownFrom - 1));
				this.logs.put(channel, log);
			}
			return log;
		}
	}

	private void seen(long offset) {
		synchronized (this.logs) {
			if (this.knownFrom < 0) {
				this.knownFrom = offset;
			}
			if (offset > this.newest) {
				this.newest = offset;
				if (this.awaitingRead > 0) {
					this.logs.notifyAll();
				}
			}
		}
	}

	private void trim(ChannelLog log) {
		Instant oldest = this.clock.instant().minus(this.ttl);
		while (!log.entries.isEmpty()
				&& (log.entries.size() > this.size || log.entries.getFirst().at().isBefore(oldest))) {
			log.droppedUpTo = log.entries.removeFirst().message().sequence();
		}
	}

	private static final class ChannelLog {

		private final Deque<Entry> entries = new ArrayDeque<>();

		// Read without the channel's lock when the channel is forgotten.
		private volatile long newest;

		// The newest offset of this channel that is no longer kept: a client behind it
		// missed it.
		private long droppedUpTo;

		private ChannelLog(long droppedUpTo) {
			this.droppedUpTo = droppedUpTo;
			this.newest = droppedUpTo;
		}

	}

	private record Entry(NotifyMessage message, Instant at) {

	}

	/**
	 * What a returning client is told.
	 *
	 * @param recovered whether {@code messages} is everything it missed; if not, it
	 * should reload
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
