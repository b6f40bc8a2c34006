package io.notifylisten.internal.security;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.transport.OutboundTransport;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.BufferingStompDecoder;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.handler.WebSocketHandlerDecoratorFactory;

/**
 * Checks every frame a client sends before Spring's STOMP handler takes it: bytes that do
 * not decode into frames, commands a listening client has no use for, frames before
 * CONNECT, and the per-frame limits (headers, destination length, frames per second). A
 * refused frame ends its connection with an ERROR frame that names the reason, counted in
 * the {@link RefusalLog}.
 *
 * <p>
 * Why here and not in the inbound channel's interceptor: Spring's handler logs a frame it
 * cannot decode at ERROR with a stack trace, and any refused frame but CONNECT and
 * SUBSCRIBE at ERROR too, so anyone could fill an operator's log and pager. Decoding
 * twice costs little: clients send a handful of frames (CONNECT, SUBSCRIBE, heart-beats),
 * and a partial frame is kept only until it is complete.
 */
public class InboundFrameGuard implements WebSocketHandlerDecoratorFactory {

	static final String MALFORMED = "Malformed or oversized frame";

	private final ConnectionRegistry connections;

	private final OutboundTransport sessions;

	private final StompLimits limits;

	private final int maxFrameSize;

	private final RefusalLog refusals;

	// Only sessions with a frame still incomplete: an idle connection holds no decoder.
	private final Map<String, BufferingStompDecoder> partialFrames = new ConcurrentHashMap<>();

	/**
	 * Create a guard.
	 * @param connections tells connected sessions from the others, and counts their
	 * frames
	 * @param sessions closes a connection with an ERROR frame
	 * @param limits the per-frame limits
	 * @param maxFrameSize the largest frame, as Spring's STOMP handler is configured
	 * @param refusals counts what was refused
	 */
	public InboundFrameGuard(ConnectionRegistry connections, OutboundTransport sessions, StompLimits limits,
			int maxFrameSize, RefusalLog refusals) {
		this.connections = connections;
		this.sessions = sessions;
		this.limits = limits;
		this.maxFrameSize = maxFrameSize;
		this.refusals = refusals;
	}

	@Override
	public WebSocketHandler decorate(WebSocketHandler handler) {
		return new WebSocketHandlerDecorator(handler) {

			@Override
			public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
				String refusal = refusal(session.getId(), message);
				if (refusal == null) {
					super.handleMessage(session, message);
					return;
				}
				InboundFrameGuard.this.refusals.refused(refusal, "frame from session " + session.getId());
				InboundFrameGuard.this.sessions.close(session.getId(), refusal);
			}

			@Override
			public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
				InboundFrameGuard.this.partialFrames.remove(session.getId());
				super.afterConnectionClosed(session, closeStatus);
			}

		};
	}

	/**
	 * Return why a WebSocket message from a client is refused, or {@code null} if Spring
	 * may take it.
	 * @param sessionId the WebSocket session
	 * @param message the message, a whole frame, several, or a piece of one
	 * @return the reason for the client, or {@code null}
	 */
	@Nullable String refusal(String sessionId, WebSocketMessage<?> message) {
		ByteBuffer bytes;
		if (message instanceof TextMessage text) {
			bytes = ByteBuffer.wrap(text.asBytes());
		}
		else if (message instanceof BinaryMessage binary) {
			// A view of its own: Spring's handler reads the same buffer afterwards.
			bytes = binary.getPayload().duplicate();
		}
		else {
			return null;
		}
		BufferingStompDecoder decoder = this.partialFrames.computeIfAbsent(sessionId,
				(id) -> new BufferingStompDecoder(new StompDecoder(), this.maxFrameSize));
		List<Message<byte[]>> frames;
		try {
			frames = decoder.decode(bytes);
		}
		catch (RuntimeException ex) {
			this.partialFrames.remove(sessionId);
			return MALFORMED;
		}
		if (decoder.getBufferSize() == 0) {
			this.partialFrames.remove(sessionId);
		}
		ListenerConnection connection = this.connections.get(sessionId);
		boolean connecting = false;
		for (Message<byte[]> frame : frames) {
			StompHeaderAccessor headers = MessageHeaderAccessor.getAccessor(frame, StompHeaderAccessor.class);
			StompCommand command = (headers != null) ? headers.getCommand() : null;
			if (command == null) {
				continue;
			}
			String refusal = refusal(headers, command, connection != null || connecting, connection);
			if (refusal != null) {
				return refusal;
			}
			connecting |= command == StompCommand.CONNECT || command == StompCommand.STOMP;
		}
		return null;
	}

	private boolean withinFrameBudget(@Nullable ListenerConnection connection) {
		return connection == null
				|| connection.tryCountFrame(this.limits.maxInboundFramesPerSecond(), System.currentTimeMillis());
	}

	// Cheap checks first, before anything is looked up; the order is the one clients were
	// told.
	private @Nullable String refusal(StompHeaderAccessor headers, StompCommand command, boolean connected,
			@Nullable ListenerConnection connection) {
		Map<String, List<String>> nativeHeaders = headers.toNativeHeaderMap();
		if (nativeHeaders.values().stream().mapToInt(List::size).sum() > this.limits.maxHeaders()) {
			return "Too many headers";
		}
		String destination = headers.getDestination();
		if (destination != null && destination.length() > this.limits.maxDestinationLength()) {
			return "Destination too long";
		}
		switch (command) {
			// CONNECT is checked by StompAccessInterceptor (login, CSRF, connections per
			// user). A second one is refused here rather than by Spring's STOMP handler,
			// whose refusal carries no session id: its ERROR would race the CONNECTED
			// frame still being written, and be lost behind it.
			case CONNECT, STOMP -> {
				return connected ? "Already connected" : null;
			}
			case DISCONNECT -> {
				return null;
			}
			case SUBSCRIBE, UNSUBSCRIBE -> {
				if (!connected) {
					return "CONNECT first";
				}
				return withinFrameBudget(connection) ? null : "Too many frames";
			}
			// A fresh token for a connection that a token authenticated
			// (BearerTokenConnections); any other SEND is refused below.
			case SEND -> {
				if (connection != null && connection.isTokenAuthenticated()
						&& BearerTokenConnections.REFRESH_DESTINATION.equals(destination)) {
					return withinFrameBudget(connection) ? null : "Too many frames";
				}
				return "Clients may not send messages";
			}
			// SEND and every frame without a use here: clients listen, only the server
			// notifies.
			default -> {
				return "Clients may not send messages";
			}
		}
	}

}
