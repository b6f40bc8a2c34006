package io.notifylisten.internal.transport;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;

import io.notifylisten.internal.channel.ChannelDestinations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskExecutor;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.handler.WebSocketHandlerDecoratorFactory;

/**
 * The connections' outbound transport: the WebSocket sessions with their limits, one
 * outbox per connection behind Spring's client outbound channel, and the direct fan-out
 * of channel notifications, which writes to the same outboxes.
 *
 * <p>
 * It keeps hold of the open sessions so that the server can end one on its own
 * initiative, with a STOMP ERROR frame that says why: when no CONNECT arrived in time
 * (Spring's own time-to-first-message check only runs when some other message arrives),
 * when the user's HTTP session ended, or when the client reads too slowly.
 */
public final class OutboundTransport implements WebSocketHandlerDecoratorFactory {

	private static final Log logger = LogFactory.getLog(OutboundTransport.class);

	private static final boolean STANDARD_WEBSOCKET_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			OutboundTransport.class.getClassLoader());

	private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/**
	 * How much of a client's WebSocket message Tomcat holds at a time. Listeners send
	 * CONNECT, SUBSCRIBE and UNSUBSCRIBE, all well under 1 KiB; longer frames arrive in
	 * pieces and Spring's STOMP decoder joins them up to the STOMP frame limit.
	 */
	static final int TOMCAT_BUFFER_SIZE = 1024;

	private static final Duration QUIESCE_BEFORE_CLOSE = Duration.ofSeconds(1);

	/** The ERROR message of a client cut off for reading too slowly. */
	static final String SEND_BUFFER_EXCEEDED = "Too slow: send buffer limit exceeded";

	private final Map<String, WebSocketSession> sessions = new ConcurrentHashMap<>();

	private final StompEncoder encoder = new StompEncoder();

	private final Predicate<String> connected;

	private final ConnectionOutboxes outboxes;

	private final DeliveryOutcomes outcomes;

	private final TaskScheduler scheduler;

	private final Duration timeToFirstConnect;

	private final int containerMessageLimit;

	private final Duration sendTimeLimit;

	private final OutgoingHeartbeats heartbeats;

	/**
	 * Create the transport.
	 * @param connected whether the connection with a session id passed CONNECT
	 * @param pool the threads that write to the connections
	 * @param scheduler runs the time-to-first-CONNECT checks and those for heart-beats
	 * @param limits the limits of each connection
	 * @param heartbeat how often the server offers clients to write to them at least,
	 * with heart-beats when nothing else goes; zero for never
	 * @param readiness given a session id, what its messages must wait for before they
	 * are written, or {@code null} for nothing (see
	 * {@link ConnectionOutboxes.Policy#readiness})
	 * @param outcomes told of messages discarded for a client that reads too slowly
	 */
	public OutboundTransport(Predicate<String> connected, Executor pool, TaskScheduler scheduler,
			TransportLimits limits, Duration heartbeat, Function<String, @Nullable CompletableFuture<?>> readiness,
			DeliveryOutcomes outcomes) {
		this.connected = connected;
		this.outcomes = outcomes;
		this.scheduler = scheduler;
		this.timeToFirstConnect = limits.timeToFirstConnect();
		// Elsewhere than on Tomcat, the container's limit bounds the whole message even
		// when it is handed over in pieces (Jetty closes with 1009 above it). It sits
		// above the STOMP limit, so that an oversized frame reaches the STOMP decoder and
		// is answered with an ERROR frame.
		this.containerMessageLimit = limits.maxFrameSize() * 2;
		this.sendTimeLimit = limits.sendTimeLimit();
		this.outboxes = new ConnectionOutboxes(pool, new OutboxPolicy(limits, readiness));
		this.heartbeats = new OutgoingHeartbeats(heartbeat, this.sessions.values(), this.outboxes);
		this.heartbeats.start(scheduler);
	}

	/**
	 * Return the executor of the client outbound channel: the outboxes, which keep each
	 * connection's messages in order and join those waiting into one write.
	 * @return the executor
	 */
	public TaskExecutor channelExecutor() {
		return this.outboxes.channelExecutor();
	}

	/**
	 * Return the encoder for Spring's STOMP handler, which writes frames the way the
	 * direct fan-out does.
	 * @return a new encoder
	 */
	public StompEncoder stompEncoder() {
		return new FanOutStompEncoder();
	}

	/**
	 * Create the direct fan-out of channel notifications into these connections'
	 * outboxes.
	 * @param destinations maps destinations to channels
	 * @param check the delivery rules every route follows
	 * @param outcomes told what became of each message
	 * @return the fan-out, for the broker channel; it passes every message on until
	 * started
	 */
	public ChannelFanOut channelFanOut(ChannelDestinations destinations, DeliveryCheck check,
			DeliveryOutcomes outcomes) {
		return new ChannelFanOut(destinations, this, this.outboxes, check, outcomes);
	}

	/**
	 * Let no further message through to a connection and wait until the one being written
	 * to it is written, so that the caller can write its ERROR frame and close it (why:
	 * see {@link ConnectionOutboxes#quiesce}).
	 * @param sessionId the WebSocket session id
	 * @param timeout how long to wait at most
	 * @return whether nothing is being written to the connection any more
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean quiesce(String sessionId, Duration timeout) throws InterruptedException {
		return this.outboxes.quiesce(sessionId, timeout);
	}

	/**
	 * Agree on heart-beats with a connection about to get its CONNECTED frame, and keep
	 * to them whichever route writes to it (see {@link OutgoingHeartbeats}).
	 * @param sessionId the WebSocket session id
	 * @param clientHeartbeat the {@code heart-beat} header of the client's CONNECT, or
	 * {@code null}
	 * @return how often the server offers to write at least, in milliseconds (zero for
	 * never): the first value of the CONNECTED frame's {@code heart-beat} header
	 */
	public long agreeHeartbeats(String sessionId, long @Nullable [] clientHeartbeat) {
		BatchingWebSocketSession session = batching(sessionId);
		if (session != null) {
			this.heartbeats.agree(session, clientHeartbeat);
		}
		return this.heartbeats.offeredMillis();
	}

	@Override
	public WebSocketHandler decorate(WebSocketHandler handler) {
		return new WebSocketHandlerDecorator(handler) {

			@Override
			public void afterConnectionEstablished(WebSocketSession containerSession) throws Exception {
				limitBlockingSends(containerSession);
				WebSocketSession session = OutboundTransport.this.outboxes.batching(containerSession);
				OutboundTransport.this.sessions.put(session.getId(), session);
				OutboundTransport.this.scheduler.schedule(() -> closeIfNotConnected(session),
						Instant.now().plus(OutboundTransport.this.timeToFirstConnect));
				super.afterConnectionEstablished(session);
				// After Spring's STOMP handler, which raises the limits to 16 KiB + 256
				// (a whole frame of the STOMP spec's minimum size).
				int limit = isTomcat(containerSession) ? TOMCAT_BUFFER_SIZE
						: OutboundTransport.this.containerMessageLimit;
				session.setTextMessageSizeLimit(limit);
				session.setBinaryMessageSizeLimit(limit);
			}

			// Tomcat keeps a buffer as large as the message size limit for each session's
			// whole life (a CharBuffer: two bytes per character); Jetty takes buffers
			// from a pool per message. Taken in pieces, messages on Tomcat need only
			// TOMCAT_BUFFER_SIZE while the STOMP decoder, which buffers an incomplete
			// frame per session, still answers an oversized frame with an ERROR at
			// max-frame-size. Measured with the benchmark's idle scenario (BENCHMARKS.md,
			// "Tomcat: client messages in pieces"); HostileInputTests run on Tomcat and
			// on Jetty.
			@Override
			public boolean supportsPartialMessages() {
				return true;
			}

			@Override
			public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
				OutboundTransport.this.sessions.remove(session.getId());
				OutboundTransport.this.outboxes.closed(session.getId());
				super.afterConnectionClosed(session, closeStatus);
			}

		};
	}

	private static boolean isTomcat(WebSocketSession session) {
		Object nativeSession = (session instanceof NativeWebSocketSession adapter) ? adapter.getNativeSession() : null;
		return nativeSession != null && nativeSession.getClass().getName().startsWith("org.apache.tomcat.");
	}

	// Spring's send time limit is only checked when the next message for a session
	// arrives; a write to a client that stopped reading blocks an outbound thread until
	// the container gives up (20 s on Tomcat's default), and enough such threads would
	// stall every other client. Bounding the write itself frees the thread after the send
	// time limit. Other containers ignore the property.
	private void limitBlockingSends(WebSocketSession session) {
		if (STANDARD_WEBSOCKET_PRESENT && session instanceof NativeWebSocketSession nativeSession) {
			jakarta.websocket.Session standard = nativeSession.getNativeSession(jakarta.websocket.Session.class);
			if (standard != null) {
				standard.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, this.sendTimeLimit.toMillis());
			}
		}
	}

	/**
	 * End a connection with an ERROR frame carrying a short reason.
	 * @param sessionId the WebSocket session id
	 * @param reason what the client is told
	 */
	public void close(String sessionId, String reason) {
		WebSocketSession session = this.sessions.get(sessionId);
		if (session != null) {
			closeWithError(session, reason);
		}
	}

	/**
	 * Return the session that writes to an open WebSocket, joining frames that leave
	 * together.
	 * @param sessionId the WebSocket session id
	 * @return the session, or {@code null} if no WebSocket of this node has that id
	 */
	@Nullable BatchingWebSocketSession batching(String sessionId) {
		return (this.sessions.get(sessionId) instanceof BatchingWebSocketSession batching) ? batching : null;
	}

	/**
	 * Return how many WebSocket sessions are open, connected or not.
	 * @return the count
	 */
	public int openSessions() {
		return this.sessions.size();
	}

	private void closeIfNotConnected(WebSocketSession session) {
		if (session.isOpen() && !this.connected.test(session.getId())) {
			closeWithError(session, "No CONNECT within " + this.timeToFirstConnect.toSeconds() + " s");
		}
	}

	private void closeWithError(WebSocketSession session, String reason) {
		StompHeaderAccessor error = StompHeaderAccessor.create(StompCommand.ERROR);
		error.setMessage(reason);
		try {
			// Written past Spring's outbound channel: wait for what it is writing to this
			// session, but not long, as a logout may be waiting here; the session is
			// closed in any case.
			this.outboxes.quiesce(session.getId(), QUIESCE_BEFORE_CLOSE);
			// The session retries a write the container refuses while it finishes the one
			// before.
			session.sendMessage(new TextMessage(this.encoder.encode(error.getMessageHeaders(), new byte[0])));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException | IllegalStateException ex) {
			// Gone already, or still being written to after every retry: closing still
			// ends it.
			logger.debug("Could not send ERROR before closing session " + session.getId(), ex);
		}
		finally {
			try {
				session.close(CloseStatus.POLICY_VIOLATION);
			}
			catch (IOException ex) {
				logger.debug("Could not close session " + session.getId(), ex);
			}
		}
	}

	/** What the outboxes need to know of the connections, answered here. */
	private final class OutboxPolicy implements ConnectionOutboxes.Policy {

		private final long sendBufferLimit;

		private final long conflationThreshold;

		private final Function<String, @Nullable CompletableFuture<?>> readiness;

		OutboxPolicy(TransportLimits limits, Function<String, @Nullable CompletableFuture<?>> readiness) {
			this.sendBufferLimit = limits.sendBufferSizeLimit();
			this.conflationThreshold = limits.conflationThreshold();
			this.readiness = readiness;
		}

		@Override
		public long sendBufferLimit() {
			return this.sendBufferLimit;
		}

		@Override
		public long conflationThreshold() {
			return this.conflationThreshold;
		}

		@Override
		public void folded(String sessionId, int messages) {
			OutboundTransport.this.outcomes.folded(messages);
		}

		@Override
		public void overflowed(String sessionId, int discardedMessages) {
			for (int i = 0; i < discardedMessages; i++) {
				OutboundTransport.this.outcomes.dropped(DeliveryOutcomes.DropReason.SLOW);
			}
			close(sessionId, SEND_BUFFER_EXCEEDED);
		}

		@Override
		public @Nullable CompletableFuture<?> readiness(String sessionId) {
			return this.readiness.apply(sessionId);
		}

		@Override
		public boolean isOpen(String sessionId) {
			return OutboundTransport.this.sessions.containsKey(sessionId);
		}

	}

}
