package io.notifylisten.internal.transport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskExecutor;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.MessageHandlingRunnable;
import org.springframework.web.socket.WebSocketSession;

/**
 * The client outbound channel's executor: one outbox per connection, emptied by one pool
 * thread at a time, so that a connection's messages leave in the order they were sent and
 * a connection with several messages waiting gets them in one WebSocket write.
 *
 * <p>
 * Why not Spring's {@code preservePublishOrder}: it also keeps the order, but hands a
 * connection's messages to the pool one at a time, each only once the one before has been
 * written. A burst of notifications to thousands of connections then costs one socket
 * write per message and connection. Here the thread emptying an outbox sees what else is
 * waiting and the connection's {@link BatchingWebSocketSession} joins those STOMP frames
 * into one message, which STOMP clients read frame by frame (stomp.js and Spring's client
 * both do). Measured with the benchmark's fan-out scenario (BENCHMARKS.md,
 * "Per-connection outboxes" and "One WebSocket message for the frames waiting on a
 * connection").
 *
 * <p>
 * An outbox exists only while it holds messages, so an idle connection costs nothing
 * here.
 *
 * <p>
 * A connection whose outbox goes over the conflation threshold gets only the latest
 * message of each channel: from then until its outbox has been emptied, a message of a
 * channel ({@link ConflatableTask}) takes the place of the one of the same channel still
 * waiting, at the end of the queue, and is written with the count of those it replaced.
 * What the client receives is then what it would have received, less the messages a later
 * one of their channel superseded, in the same order; other messages (a CONNECTED frame,
 * heart-beats, notices, everything Spring's path writes) are never replaced. Why: a page
 * that falls behind in a burst (a bulk job touching a thousand objects) wants each
 * object's latest state, not every step, and not to be cut off.
 *
 * <p>
 * Should the latest message of each channel still be more than the send buffer limit
 * holds (a listener to a type behind on a thousand objects), each subscription keeps only
 * its latest message instead, with the count of every message it replaced: a page that
 * listens to a type and sees a fold reloads what it shows, which it must do anyway after
 * missing messages. Only messages that are never replaced, or of more subscriptions than
 * the limit holds, still end the connection.
 */
final class ConnectionOutboxes implements Executor {

	private static final Log logger = LogFactory.getLog(ConnectionOutboxes.class);

	/**
	 * Messages one turn of a pool thread takes from one outbox before the other outboxes
	 * get theirs.
	 */
	static final int MESSAGES_PER_TURN = 64;

	private final Map<String, Outbox> outboxes = new ConcurrentHashMap<>();

	/** The outbox whose turn the calling thread is running, if any. */
	private final ThreadLocal<Outbox> draining = new ThreadLocal<>();

	private final Executor pool;

	/**
	 * The outboxes as Spring's client outbound channel takes them. A view, not the
	 * outboxes themselves: Spring registers the channel's executor as a bean
	 * ("clientOutboundChannelExecutor", a TaskExecutor for its statistics), and a second
	 * bean of this type would make the outboxes ambiguous to inject.
	 */
	private final TaskExecutor channelExecutor = this::execute;

	private final Policy policy;

	/**
	 * Create the outboxes.
	 * @param pool the threads that write to the connections
	 * @param policy what the outboxes need to know of the connections
	 */
	ConnectionOutboxes(Executor pool, Policy policy) {
		this.pool = pool;
		this.policy = policy;
	}

	/**
	 * Return the outboxes as the client outbound channel's executor; always the same
	 * instance, so that whether the channel still uses them can be told.
	 * @return the executor
	 */
	TaskExecutor channelExecutor() {
		return this.channelExecutor;
	}

	@Override
	public void execute(Runnable task) {
		String sessionId = (task instanceof MessageHandlingRunnable handling)
				? SimpMessageHeaderAccessor.getSessionId(handling.getMessage().getHeaders()) : null;
		if (sessionId == null) {
			this.pool.execute(task);
			return;
		}
		execute(sessionId, task);
	}

	/**
	 * Queue a task that writes to a connection behind what is already waiting for it.
	 * @param sessionId the WebSocket session id
	 * @param task writes to the connection
	 */
	void execute(String sessionId, Runnable task) {
		while (true) {
			Outbox outbox = this.outboxes.computeIfAbsent(sessionId, Outbox::new);
			Offer offer = outbox.offer(task);
			switch (offer) {
				case SCHEDULE -> schedule(outbox);
				case OVERFLOW -> overflowed(sessionId, outbox.discardedOnOverflow());
				case REMOVED -> {
					// Emptied and removed a moment ago: a new one takes the message.
					continue;
				}
				default -> {
				}
			}
			return;
		}
	}

	/**
	 * Let no further message through to a connection and wait until the one being written
	 * to it is written, so that the caller can write its ERROR frame and close it.
	 * Messages still waiting for the connection are discarded: it is being closed.
	 * <p>
	 * Why: Spring writes an ERROR for a refused client frame on the inbound thread and
	 * closes the session straight after. If a pool thread is still writing to that
	 * session (typically the CONNECTED frame, which a client answers with SUBSCRIBE at
	 * once), Spring's {@code ConcurrentWebSocketSessionDecorator} queues the ERROR behind
	 * that write and then drops it because the session is closing: the connection closes
	 * without its reason, and a browser client that cannot tell "denied" from "dropped"
	 * reconnects and asks again. Seen in the integration tests on Tomcat and on Jetty.
	 * @param sessionId the WebSocket session id
	 * @param timeout how long to wait at most
	 * @return whether nothing is being written to the connection any more
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean quiesce(String sessionId, Duration timeout) throws InterruptedException {
		while (true) {
			Outbox outbox = this.outboxes.computeIfAbsent(sessionId, Outbox::new);
			Boolean quiet = outbox.quiesce(timeout);
			if (quiet != null) {
				if (!this.policy.isOpen(sessionId)) {
					// Closed before its close could remove this outbox: nobody else will.
					outbox.closed();
				}
				return quiet;
			}
		}
	}

	/**
	 * Forget a connection that has closed.
	 * @param sessionId the WebSocket session id
	 */
	void closed(String sessionId) {
		Outbox outbox = this.outboxes.get(sessionId);
		if (outbox != null) {
			outbox.closed();
		}
	}

	/**
	 * Wrap a connection's session so that frames written while more wait in its outbox
	 * are joined into one WebSocket message.
	 * @param session the container's session
	 * @return the session to hand to Spring's STOMP handler
	 */
	WebSocketSession batching(WebSocketSession session) {
		return new BatchingWebSocketSession(session, this);
	}

	/**
	 * Return how many outboxes hold messages or belong to a connection being closed, for
	 * tests of clean-up.
	 * @return the count
	 */
	int size() {
		return this.outboxes.size();
	}

	/**
	 * Return whether the calling thread is emptying the outbox of the given connection
	 * and further messages wait in it; if so, remember the writer to flush once this turn
	 * is over.
	 * @param sessionId the connection's session id
	 * @param writer the connection's session, which holds a frame back if so
	 * @return whether more messages for the connection follow in this turn
	 */
	boolean moreToCome(String sessionId, BatchingWebSocketSession writer) {
		// Asked for every frame: the outbox this thread empties, if any, answers for its
		// own connection without a lookup among all connections' outboxes.
		Outbox draining = this.draining.get();
		Outbox outbox = (draining != null && draining.sessionId.equals(sessionId)) ? draining
				: this.outboxes.get(sessionId);
		return outbox != null && outbox.moreToCome(writer);
	}

	private void overflowed(String sessionId, int discarded) {
		logger.debug("Send buffer limit exceeded for session " + sessionId);
		try {
			this.pool.execute(() -> this.policy.overflowed(sessionId, discarded));
		}
		catch (RejectedExecutionException ex) {
			// Shutting down: every connection is about to close anyway.
		}
	}

	// What a message adds to a connection's send buffer: its payload, as Spring's
	// decorator counts.
	private static int sizeOf(Runnable task) {
		if (task instanceof SizedTask sized) {
			return sized.size();
		}
		if (task instanceof MessageHandlingRunnable handling
				&& handling.getMessage().getPayload() instanceof byte[] bytes) {
			return bytes.length;
		}
		return 0;
	}

	private void schedule(Outbox outbox) {
		try {
			this.pool.execute(outbox);
		}
		catch (RejectedExecutionException ex) {
			// Shutting down: as Spring's channel does with a refused task, run it here.
			outbox.run();
		}
	}

	// A notification, as opposed to a CONNECTED frame, a receipt or a heart-beat.
	private static boolean isMessage(Runnable task) {
		return (task instanceof SizedTask)
				|| (task instanceof MessageHandlingRunnable handling && SimpMessageType.MESSAGE
					.equals(SimpMessageHeaderAccessor.getMessageType(handling.getMessage().getHeaders())));
	}

	/**
	 * What the outboxes need to know of the connections they write to.
	 */
	interface Policy {

		/**
		 * Return the most payload bytes that may wait for one connection. Over it, what
		 * waits is discarded, nothing more is taken, and {@link #overflowed} is told:
		 * with one writer per connection, messages for a client that reads too slowly
		 * wait in its outbox, and nothing else would bound them (as Spring's
		 * {@code send-buffer-size-limit} does for its session decorator).
		 * @return the limit
		 */
		long sendBufferLimit();

		/**
		 * Return the payload bytes waiting for one connection over which it gets only the
		 * latest message of each channel; at or above {@link #sendBufferLimit()} for
		 * never (the default).
		 * @return the threshold
		 */
		default long conflationThreshold() {
			return Long.MAX_VALUE;
		}

		/**
		 * Told, on the sending thread and while the connection's outbox is locked (so
		 * quick), that messages waiting for a connection were replaced by a later one of
		 * their channel.
		 * @param sessionId the WebSocket session id
		 * @param messages how many were replaced
		 */
		default void folded(String sessionId, int messages) {
		}

		/**
		 * Told, on a pool thread as a write to the client would block one (not on the
		 * sending thread, which fans a notification out to other connections too), that a
		 * connection went over the send buffer limit.
		 * @param sessionId the WebSocket session id
		 * @param discardedMessages how many messages to the client were discarded
		 */
		void overflowed(String sessionId, int discardedMessages);

		/**
		 * Return what a connection's messages must wait for before a pool thread writes
		 * them, so that it does not wait there itself: asked at the start of each turn, a
		 * connection that must wait gives its thread back and gets another turn once what
		 * it waits for is done. Messages keep their order; other connections' turns go on
		 * meanwhile.
		 * @param sessionId the WebSocket session id
		 * @return {@code null} if its messages may be written now, else what they must
		 * wait for
		 */
		@Nullable CompletableFuture<?> readiness(String sessionId);

		/**
		 * Return whether a connection is still open, so that an outbox quiesced after its
		 * connection closed does not stay behind.
		 * @param sessionId the WebSocket session id
		 * @return whether it is open
		 */
		boolean isOpen(String sessionId);

	}

	/**
	 * A task that writes a message of a known size to a connection.
	 */
	interface SizedTask extends Runnable {

		/**
		 * Return the bytes the message adds to the connection's send buffer.
		 * @return the size
		 */
		int size();

	}

	/**
	 * A task that writes a channel's message to a connection, which a later one of the
	 * same channel may replace while the connection reads too slowly.
	 */
	interface ConflatableTask extends SizedTask {

		/**
		 * Return what tells the message's channel apart on its connection: equal for two
		 * tasks when the later one supersedes the earlier.
		 * @return the key
		 */
		Object channelKey();

		/**
		 * Return what tells the message's subscription apart on its connection, by which
		 * messages are kept once the latest of each channel is still too much: by default
		 * the channel's key, for a subscription of one channel.
		 * @return the key
		 */
		default Object subscriptionKey() {
			return channelKey();
		}

		/**
		 * Write the message, telling the client how many earlier ones of its channel (or
		 * subscription) it replaced.
		 * @param folded how many, at least one
		 */
		void runFolding(int folded);

	}

	/** What became of a task handed to an outbox. */
	private enum Offer {

		/** Waiting, and a pool thread must start emptying the outbox. */
		SCHEDULE,

		/** Waiting behind others. */
		QUEUED,

		/** Discarded: the connection is being closed. */
		DISCARDED,

		/** Discarded with everything else waiting: over the send buffer limit. */
		OVERFLOW,

		/** Not taken: the outbox was emptied and removed a moment ago. */
		REMOVED

	}

	private final class Outbox implements Runnable {

		private final String sessionId;

		private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(4);

		/**
		 * While conflating, in place of {@link #waiting}: the tasks in order, each under
		 * its channel's key or a key of its own; {@code null} otherwise.
		 */
		private @Nullable LinkedHashMap<Object, Waiting> latest;

		/** While conflating: whether by subscription rather than by channel. */
		private boolean bySubscription;

		private @Nullable Thread drainer;

		private boolean scheduled;

		private boolean closing;

		private boolean removed;

		/** Messages discarded when the send buffer limit was exceeded, told once. */
		private int discardedOnOverflow;

		/** Payload bytes of the messages waiting. */
		private long waitingBytes;

		/** Set when a turn starts again after a wait; read by the thread of that turn. */
		private volatile boolean resumed;

		/**
		 * Set by the connection's writer when it holds frames back for later in this
		 * turn.
		 */
		private @Nullable BatchingWebSocketSession writer;

		Outbox(String sessionId) {
			this.sessionId = sessionId;
		}

		synchronized Offer offer(Runnable task) {
			if (this.removed) {
				return Offer.REMOVED;
			}
			if (this.closing) {
				return Offer.DISCARDED;
			}
			this.waitingBytes += sizeOf(task);
			int folded = 0;
			if (this.latest == null && this.waitingBytes > conflationThreshold()) {
				folded = startConflating();
			}
			if (this.latest != null) {
				folded += keepLatest(this.latest, task);
			}
			else {
				this.waiting.add(task);
			}
			if (this.latest != null && !this.bySubscription
					&& this.waitingBytes > ConnectionOutboxes.this.policy.sendBufferLimit()) {
				folded += foldBySubscription(this.latest);
			}
			if (folded > 0) {
				ConnectionOutboxes.this.policy.folded(this.sessionId, folded);
			}
			if (this.waitingBytes > ConnectionOutboxes.this.policy.sendBufferLimit()) {
				// The connection is being cut off: keep nothing more for it.
				this.closing = true;
				this.discardedOnOverflow = (int) waitingTasks().filter(ConnectionOutboxes::isMessage).count();
				clear();
				return Offer.OVERFLOW;
			}
			if (this.scheduled) {
				return Offer.QUEUED;
			}
			this.scheduled = true;
			return Offer.SCHEDULE;
		}

		// At or above the send buffer limit, conflation would only start once the
		// connection is over the limit, and keep it from being cut off there.
		private long conflationThreshold() {
			long threshold = ConnectionOutboxes.this.policy.conflationThreshold();
			return (threshold < ConnectionOutboxes.this.policy.sendBufferLimit()) ? threshold : Long.MAX_VALUE;
		}

		synchronized int discardedOnOverflow() {
			return this.discardedOnOverflow;
		}

		// From now until the outbox is emptied, what waits is kept by channel; what
		// already waits is folded too.
		private int startConflating() {
			LinkedHashMap<Object, Waiting> latest = new LinkedHashMap<>();
			int folded = 0;
			for (Runnable task : this.waiting) {
				folded += keepLatest(latest, task);
			}
			this.waiting.clear();
			this.latest = latest;
			return folded;
		}

		// Behind everything else, so that the messages kept stay in the order they were
		// sent in; the one it replaces is forgotten, its count carried over.
		private int keepLatest(LinkedHashMap<Object, Waiting> latest, Runnable task) {
			return keepLatest(latest, new Waiting(task, 0));
		}

		private int keepLatest(LinkedHashMap<Object, Waiting> latest, Waiting waiting) {
			if (!(waiting.task() instanceof ConflatableTask conflatable)) {
				latest.put(new Object(), waiting);
				return 0;
			}
			Object key = this.bySubscription ? conflatable.subscriptionKey() : conflatable.channelKey();
			Waiting replaced = latest.remove(key);
			if (replaced == null) {
				latest.put(key, waiting);
				return 0;
			}
			this.waitingBytes -= sizeOf(replaced.task());
			latest.put(key, new Waiting(waiting.task(), waiting.folded() + replaced.folded() + 1));
			return 1;
		}

		// The latest message of each channel is still over the limit: from now until the
		// outbox is emptied, the latest of each subscription, what waits folded again.
		private int foldBySubscription(LinkedHashMap<Object, Waiting> byChannel) {
			this.bySubscription = true;
			LinkedHashMap<Object, Waiting> latest = new LinkedHashMap<>();
			int folded = 0;
			for (Waiting waiting : byChannel.values()) {
				folded += keepLatest(latest, waiting);
			}
			this.latest = latest;
			return folded;
		}

		private Stream<Runnable> waitingTasks() {
			LinkedHashMap<Object, Waiting> latest = this.latest;
			return (latest != null) ? latest.values().stream().map(Waiting::task) : this.waiting.stream();
		}

		private boolean isEmpty() {
			// A map emptied is dropped: conflation ends with the backlog.
			return this.latest == null && this.waiting.isEmpty();
		}

		private void clear() {
			this.waiting.clear();
			this.latest = null;
			this.bySubscription = false;
			this.waitingBytes = 0;
		}

		// Only the turn's own thread holds frames back: a write from anywhere else goes
		// out at once.
		synchronized boolean moreToCome(BatchingWebSocketSession writer) {
			if (this.drainer != Thread.currentThread() || isEmpty()) {
				return false;
			}
			this.writer = writer;
			return true;
		}

		synchronized @Nullable Boolean quiesce(Duration timeout) throws InterruptedException {
			if (this.removed) {
				return null;
			}
			this.closing = true;
			clear();
			long deadline = System.nanoTime() + timeout.toNanos();
			while (this.drainer != null && this.drainer != Thread.currentThread()) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				wait(Math.max(1, left / 1_000_000));
			}
			return true;
		}

		synchronized void closed() {
			if (this.closing) {
				this.removed = true;
				ConnectionOutboxes.this.outboxes.remove(this.sessionId, this);
			}
		}

		@Override
		public void run() {
			if (mustWait()) {
				return;
			}
			synchronized (this) {
				this.drainer = Thread.currentThread();
			}
			ConnectionOutboxes.this.draining.set(this);
			try {
				for (int i = 0; i < MESSAGES_PER_TURN; i++) {
					Runnable task = next();
					if (task == null) {
						break;
					}
					runSafely(task);
				}
			}
			finally {
				ConnectionOutboxes.this.draining.set(null);
				flushHeldBackFrames();
				if (turnOver()) {
					schedule(this);
				}
			}
		}

		// Asked once per wait: a turn resumed after one goes ahead, so that what took
		// longer than it stays valid cannot hold the connection up for good (its
		// messages' own check still runs).
		private boolean mustWait() {
			if (this.resumed) {
				this.resumed = false;
				return false;
			}
			CompletableFuture<?> ready;
			try {
				ready = ConnectionOutboxes.this.policy.readiness(this.sessionId);
			}
			catch (RuntimeException ex) {
				logger.debug("Readiness of session " + this.sessionId + " unknown; writing now", ex);
				return false;
			}
			if (ready == null || ready.isDone()) {
				return false;
			}
			// Still scheduled: messages that arrive meanwhile queue behind, and no other
			// turn starts.
			ready.whenComplete((result, failure) -> {
				this.resumed = true;
				schedule(this);
			});
			return true;
		}

		private synchronized @Nullable Runnable next() {
			LinkedHashMap<Object, Waiting> latest = this.latest;
			if (latest == null) {
				Runnable task = this.waiting.poll();
				if (task != null) {
					this.waitingBytes -= sizeOf(task);
				}
				return task;
			}
			Iterator<Waiting> first = latest.values().iterator();
			Waiting next = first.next();
			first.remove();
			if (latest.isEmpty()) {
				this.latest = null;
				this.bySubscription = false;
			}
			this.waitingBytes -= sizeOf(next.task());
			return (next.folded() > 0 && next.task() instanceof ConflatableTask conflatable)
					? () -> conflatable.runFolding(next.folded()) : next.task();
		}

		private void runSafely(Runnable task) {
			try {
				task.run();
			}
			catch (Throwable ex) {
				// The next message of the connection must still go out.
				logger.error("Failed to send a message to session " + this.sessionId, ex);
			}
		}

		// A message the delivery check dropped leaves the frames before it held back.
		private void flushHeldBackFrames() {
			BatchingWebSocketSession heldBack = this.writer;
			this.writer = null;
			if (heldBack != null) {
				heldBack.flush();
			}
		}

		/** Return whether messages arrived meanwhile and another turn is needed. */
		private synchronized boolean turnOver() {
			this.drainer = null;
			if (this.closing) {
				// Only quiesce waits, and only once it has marked the outbox closing; a
				// notify on every turn would inflate every outbox's monitor.
				notifyAll();
			}
			if (!isEmpty()) {
				return true;
			}
			this.scheduled = false;
			if (!this.closing) {
				this.removed = true;
				ConnectionOutboxes.this.outboxes.remove(this.sessionId, this);
			}
			return false;
		}

	}

	/** A task waiting while its outbox conflates, with the count of those it replaced. */
	private record Waiting(Runnable task, int folded) {

	}

}
