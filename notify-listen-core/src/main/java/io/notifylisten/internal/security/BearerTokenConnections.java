package io.notifylisten.internal.security;

import java.time.Clock;
import java.time.Instant;

import io.notifylisten.internal.connection.ConnectedFrameInterceptor;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.security.BearerTokenAuthenticator.VerifiedToken;
import io.notifylisten.internal.transport.OutboundTransport;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.scheduling.TaskScheduler;

/**
 * The STOMP connections that a bearer token authenticates rather than an HTTP session:
 * the token of a CONNECT, a fresh one sent on the same connection with
 * {@code SEND destination:}{@value #REFRESH_DESTINATION} (answered with a RECEIPT that
 * carries the new expiry), and the end of a connection whose token expired without one,
 * with an ERROR {@value BearerTokenAuthenticator#TOKEN_EXPIRED}. Deliveries stop at the
 * expiry itself (see {@link ListenerConnection#tokenExpired}); the ERROR follows.
 *
 * <p>
 * The token travels in the frame's {@code Authorization} header, as over HTTP, because a
 * browser cannot set headers on the WebSocket handshake and a token in a URL ends up in
 * logs. It is taken off the frame once checked and never logged.
 */
public final class BearerTokenConnections {

	/** Where a client sends a fresh token for its connection. */
	public static final String REFRESH_DESTINATION = "/notify-listen/token";

	private final BearerTokenAuthenticator authenticator;

	private final ConnectionRegistry connections;

	private final OutboundTransport transport;

	private final ObjectProvider<MessageChannel> clientOutboundChannel;

	private final TaskScheduler scheduler;

	private final RefusalLog refusals;

	private final Clock clock;

	/**
	 * Create the token connections.
	 * @param authenticator checks the tokens
	 * @param connections the open connections
	 * @param transport ends a connection with an ERROR frame
	 * @param clientOutboundChannel where the RECEIPT of a refresh goes, in order with the
	 * connection's messages
	 * @param scheduler ends connections at their tokens' expiry
	 * @param refusals counts refused refreshes
	 * @param clock tells when a token has expired
	 */
	public BearerTokenConnections(BearerTokenAuthenticator authenticator, ConnectionRegistry connections,
			OutboundTransport transport, ObjectProvider<MessageChannel> clientOutboundChannel, TaskScheduler scheduler,
			RefusalLog refusals, Clock clock) {
		this.authenticator = authenticator;
		this.connections = connections;
		this.transport = transport;
		this.clientOutboundChannel = clientOutboundChannel;
		this.scheduler = scheduler;
		this.refusals = refusals;
		this.clock = clock;
	}

	/**
	 * Check the bearer token of a CONNECT frame, if it carries one, and take it off the
	 * frame.
	 * @param connect the CONNECT frame
	 * @return the verified token, or {@code null} if the frame carries none (the HTTP
	 * session's login applies then)
	 * @throws ListenDeniedException if the token is refused
	 */
	public @Nullable VerifiedToken connect(Message<?> connect) {
		StompHeaderAccessor headers = MessageHeaderAccessor.getAccessor(connect, StompHeaderAccessor.class);
		if (headers == null) {
			return null;
		}
		String authorization = headers.getFirstNativeHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null) {
			return null;
		}
		// Checked or refused, the token has no business further on: a broker behind
		// Spring's handler would be sent the CONNECT headers.
		if (headers.isMutable()) {
			headers.removeNativeHeader(HttpHeaders.AUTHORIZATION);
		}
		String token = BearerTokenAuthenticator.tokenOf(authorization);
		if (token == null) {
			throw new ListenDeniedException(BearerTokenAuthenticator.INVALID_TOKEN);
		}
		VerifiedToken verified = this.authenticator.authenticate(token);
		if (headers.isMutable()) {
			// As Spring's reference does for token authentication: the STOMP
			// handler keeps this user for the session's later frames.
			headers.setUser(verified.user());
		}
		return verified;
	}

	/**
	 * Start a connection's life on its token: it ends when the token expires, unless a
	 * fresh one comes first.
	 * @param connection the connection, registered
	 * @param token its token
	 */
	public void connected(ListenerConnection connection, VerifiedToken token) {
		extend(connection, token);
	}

	/**
	 * Take a fresh token for a connection ({@code SEND} to
	 * {@value #REFRESH_DESTINATION}). A token for the same user extends the connection
	 * and is answered with a RECEIPT that carries its expiry; any other ends the
	 * connection with an ERROR frame. Refused here rather than thrown, because Spring
	 * logs a refused SEND at ERROR.
	 * @param send the SEND frame
	 * @param connection the connection that sent it
	 */
	public void refresh(Message<?> send, ListenerConnection connection) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.wrap(send);
		String token = BearerTokenAuthenticator.tokenOf(headers.getFirstNativeHeader(HttpHeaders.AUTHORIZATION));
		String refusal = null;
		VerifiedToken verified = null;
		if (!connection.isTokenAuthenticated() || token == null) {
			refusal = BearerTokenAuthenticator.INVALID_TOKEN;
		}
		else {
			try {
				verified = this.authenticator.authenticate(token);
				if (!verified.user().getName().equals(connection.user().getName())) {
					refusal = BearerTokenAuthenticator.INVALID_TOKEN;
				}
			}
			catch (ListenDeniedException ex) {
				refusal = ex.getMessage();
			}
		}
		if (refusal != null || verified == null) {
			String reason = (refusal != null) ? refusal : BearerTokenAuthenticator.INVALID_TOKEN;
			this.refusals.refused(reason, "token refresh from session " + connection.sessionId());
			this.transport.close(connection.sessionId(), reason);
			return;
		}
		extend(connection, verified);
		String receiptId = headers.getFirstNativeHeader("receipt");
		if (receiptId != null) {
			StompHeaderAccessor receipt = StompHeaderAccessor.create(StompCommand.RECEIPT);
			receipt.setReceiptId(receiptId);
			if (verified.expiresAt() != null) {
				receipt.setNativeHeader(ConnectedFrameInterceptor.TOKEN_EXPIRES_AT_HEADER,
						String.valueOf(verified.expiresAt().toEpochMilli()));
			}
			receipt.setSessionId(connection.sessionId());
			this.clientOutboundChannel.getObject()
				.send(MessageBuilder.createMessage(new byte[0], receipt.getMessageHeaders()));
		}
	}

	private void extend(ListenerConnection connection, VerifiedToken token) {
		Instant expiresAt = token.expiresAt();
		connection.authenticatedByToken(token.user(), expiresAt);
		if (expiresAt != null) {
			scheduleEnd(connection.sessionId(), expiresAt);
		}
	}

	// Only the session id is held, so that a closed connection is not kept until its
	// token's expiry.
	private void scheduleEnd(String sessionId, Instant expiresAt) {
		this.scheduler.schedule(() -> closeIfExpired(sessionId, expiresAt), expiresAt);
	}

	/**
	 * End a connection whose token has expired, with an ERROR frame. One that was given a
	 * fresh token meanwhile stays; its new expiry has an end scheduled of its own.
	 * @param sessionId the WebSocket session id
	 * @param expiresAt the expiry this end was scheduled for
	 */
	void closeIfExpired(String sessionId, Instant expiresAt) {
		ListenerConnection connection = this.connections.get(sessionId);
		Instant current = (connection != null) ? connection.tokenExpiresAt() : null;
		if (connection == null || current == null || current.toEpochMilli() != expiresAt.toEpochMilli()) {
			return;
		}
		if (connection.tokenExpired(this.clock.millis())) {
			this.transport.close(sessionId, BearerTokenAuthenticator.TOKEN_EXPIRED);
		}
		else {
			// The scheduler's time ran ahead of the clock's.
			scheduleEnd(sessionId, expiresAt);
		}
	}

}
