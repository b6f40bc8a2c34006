package io.notifylisten.connection;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.handler.WebSocketHandlerDecoratorFactory;

/**
 * Keeps hold of the open WebSocket sessions so that the server can end one on its own initiative,
 * with a STOMP ERROR frame that says why: when no CONNECT arrived in time (Spring's own
 * time-to-first-message check only runs when some other message arrives), or when the user's HTTP
 * session ended.
 */
public class WebSocketSessions implements WebSocketHandlerDecoratorFactory {

	private static final Log logger = LogFactory.getLog(WebSocketSessions.class);

	private static final boolean STANDARD_WEBSOCKET_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			WebSocketSessions.class.getClassLoader());

	private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/**
	 * How much of a client's WebSocket message Tomcat holds at a time. Listeners send CONNECT,
	 * SUBSCRIBE and UNSUBSCRIBE, all well under 1 KiB; longer frames arrive in pieces and Spring's
	 * STOMP decoder joins them up to the STOMP frame limit.
	 */
	static final int TOMCAT_BUFFER_SIZE = 1024;

	private static final Duration QUIESCE_BEFORE_CLOSE = Duration.ofSeconds(1);

	private static final int ERROR_SEND_ATTEMPTS = 10;

	private static final Duration ERROR_SEND_RETRY_DELAY = Duration.ofMillis(10);

	/** The ERROR message of a client cut off for reading too slowly. */
	static final String SEND_BUFFER_EXCEEDED = "Too slow: send buffer limit exceeded";

	private final Map<String, WebSocketSession> sessions = new ConcurrentHashMap<>();

	private final StompEncoder encoder = new StompEncoder();

	private final ConnectionRegistry connections;

	private final ConnectionOutboxes outboxes;

	private final TaskScheduler scheduler;

	private final Duration timeToFirstConnect;

	private final int containerMessageLimit;

	private final Duration sendTimeLimit;

	/**
	 * Create the session tracker.
	 * @param connections the connections that passed CONNECT
	 * @param outboxes the outbound channel's outboxes, one per connection
	 * @param scheduler runs the time-to-first-CONNECT checks
	 * @param timeToFirstConnect how long a new WebSocket may take to send CONNECT
	 * @param maxFrameSize the largest STOMP frame a client may send
	 * @param sendTimeLimit the longest one write to a client may block
	 * @param sendBufferSizeLimit the most bytes that may wait for a client before it is cut off
	 */
	public WebSocketSessions(ConnectionRegistry connections, ConnectionOutboxes outboxes, TaskScheduler scheduler,
			Duration timeToFirstConnect, int maxFrameSize, Duration sendTimeLimit, long sendBufferSizeLimit) {
		this.connections = connections;
		this.outboxes = outboxes;
		outboxes.setOpenConnections(this.sessions::containsKey);
		outboxes.setSendBufferLimit(sendBufferSizeLimit, (sessionId) -> close(sessionId, SEND_BUFFER_EXCEEDED));
		this.scheduler = scheduler;
		this.timeToFirstConnect = timeToFirstConnect;
		// Elsewhere than on Tomcat, the container's limit bounds the whole message even when it is
		// handed over in pieces (Jetty closes with 1009 above it). It sits above the STOMP limit, so
		// that an oversized frame reaches the STOMP decoder and is answered with an ERROR frame.
		this.containerMessageLimit = maxFrameSize * 2;
		this.sendTimeLimit = sendTimeLimit;
	}

	@Override
	public WebSocketHandler decorate(WebSocketHandler handler) {
		return new WebSocketHandlerDecorator(handler) {

			@Override
			public void afterConnectionEstablished(WebSocketSession containerSession) throws Exception {
				limitBlockingSends(containerSession);
				WebSocketSession session = WebSocketSessions.this.outboxes.batching(containerSession);
				WebSocketSessions.this.sessions.put(session.getId(), session);
				WebSocketSessions.this.scheduler.schedule(() -> closeIfNotConnected(session),
						Instant.now().plus(WebSocketSessions.this.timeToFirstConnect));
				super.afterConnectionEstablished(session);
				// After Spring's STOMP handler, which raises the limits to 16 KiB + 256 (a whole frame
				// of the STOMP spec's minimum size).
				int limit = isTomcat(containerSession) ? TOMCAT_BUFFER_SIZE
						: WebSocketSessions.this.containerMessageLimit;
				session.setTextMessageSizeLimit(limit);
				session.setBinaryMessageSizeLimit(limit);
			}

			// Tomcat keeps a buffer as large as the message size limit for each session's whole life
			// (a CharBuffer: two bytes per character); Jetty takes buffers from a pool per message.
			// Taken in pieces, messages on Tomcat need only TOMCAT_BUFFER_SIZE while the STOMP
			// decoder, which buffers an incomplete frame per session, still answers an oversized
			// frame with an ERROR at max-frame-size. Measured with the benchmark's idle scenario
			// (BENCHMARKS.md, "Tomcat: client messages in pieces"); HostileInputTests run on Tomcat
			// and on Jetty.
			@Override
			public boolean supportsPartialMessages() {
				return true;
			}

			@Override
			public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
				WebSocketSessions.this.sessions.remove(session.getId());
				WebSocketSessions.this.outboxes.closed(session.getId());
				super.afterConnectionClosed(session, closeStatus);
			}

		};
	}

	private static boolean isTomcat(WebSocketSession session) {
		Object nativeSession = (session instanceof NativeWebSocketSession adapter) ? adapter.getNativeSession() : null;
		return nativeSession != null && nativeSession.getClass().getName().startsWith("org.apache.tomcat.");
	}

	// Spring's send time limit is only checked when the next message for a session arrives; a write
	// to a client that stopped reading blocks an outbound thread until the container gives up (20 s
	// on Tomcat's default), and enough such threads would stall every other client. Bounding the
	// write itself frees the thread after the send time limit. Other containers ignore the property.
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
	 * Return the session that writes to an open WebSocket, joining frames that leave together.
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
	public int size() {
		return this.sessions.size();
	}

	private void closeIfNotConnected(WebSocketSession session) {
		if (session.isOpen() && this.connections.get(session.getId()) == null) {
			closeWithError(session, "No CONNECT within " + this.timeToFirstConnect.toSeconds() + " s");
		}
	}

	// A write the container has not finished (a frame Spring's handler sent a moment before, such as
	// CONNECTED) refuses another with IllegalStateException; it is done within milliseconds, and the
	// client should learn why it is cut off.
	private static void sendError(WebSocketSession session, TextMessage error)
			throws IOException, InterruptedException {
		for (int attempt = 1;; attempt++) {
			try {
				session.sendMessage(error);
				return;
			}
			catch (IllegalStateException ex) {
				if (attempt == ERROR_SEND_ATTEMPTS || !session.isOpen()) {
					throw ex;
				}
				Thread.sleep(ERROR_SEND_RETRY_DELAY.toMillis());
			}
		}
	}

	private void closeWithError(WebSocketSession session, String reason) {
		StompHeaderAccessor error = StompHeaderAccessor.create(StompCommand.ERROR);
		error.setMessage(reason);
		try {
			// Written past Spring's outbound channel: wait for what it is writing to this session, but
			// not long, as a logout may be waiting here; the session is closed in any case.
			this.outboxes.quiesce(session.getId(), QUIESCE_BEFORE_CLOSE);
			sendError(session, new TextMessage(this.encoder.encode(error.getMessageHeaders(), new byte[0])));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException | IllegalStateException ex) {
			// Gone already, or still being written to after every retry: closing still ends it.
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

}
