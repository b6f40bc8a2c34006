package io.notifylisten.internal.security;

import java.time.Duration;

import io.notifylisten.channel.InvalidChannelException;
import io.notifylisten.internal.transport.OutboundTransport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.stomp.StompConversionException;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.web.socket.messaging.StompSubProtocolErrorHandler;

/**
 * Turns any failure while handling a client frame into an ERROR frame with a short, safe
 * message: the reason a client can act on, never an exception class, stack trace or
 * header value. Spring closes the connection after sending it.
 */
public class SafeStompErrorHandler extends StompSubProtocolErrorHandler {

	private static final Log logger = LogFactory.getLog(SafeStompErrorHandler.class);

	private final @Nullable OutboundTransport transport;

	private final Duration quiesceTimeout;

	private final @Nullable RefusalLog refusals;

	/**
	 * Create a handler that sends the ERROR frame as Spring does, whatever else is being
	 * written.
	 */
	public SafeStompErrorHandler() {
		this(null, Duration.ZERO, null);
	}

	/**
	 * Create a handler that first lets the messages being written to the connection
	 * finish, so that the ERROR frame is not dropped behind them (see
	 * {@link OutboundTransport#quiesce}).
	 * @param transport the connections' transport, whose outboxes hold the messages
	 * waiting
	 * @param quiesceTimeout how long to wait for them at most
	 * @param refusals counts what was refused, or {@code null} to log each refusal at
	 * DEBUG only
	 */
	public SafeStompErrorHandler(@Nullable OutboundTransport transport, Duration quiesceTimeout,
			@Nullable RefusalLog refusals) {
		this.transport = transport;
		this.quiesceTimeout = quiesceTimeout;
		this.refusals = refusals;
	}

	@Override
	public @Nullable Message<byte[]> handleClientMessageProcessingError(@Nullable Message<byte[]> clientMessage,
			Throwable ex) {
		Message<byte[]> error = super.handleClientMessageProcessingError(clientMessage, ex);
		// Bytes that could not be decoded come without a message, hence without a session
		// id: Spring writes their ERROR straight away, as before.
		String sessionId = (clientMessage != null) ? SimpMessageHeaderAccessor.getSessionId(clientMessage.getHeaders())
				: null;
		if (error != null && sessionId != null && this.transport != null) {
			try {
				if (!this.transport.quiesce(sessionId, this.quiesceTimeout)) {
					logger.debug("A write to session " + sessionId + " still runs; its ERROR frame may be lost");
				}
			}
			catch (InterruptedException interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		return error;
	}

	@Override
	protected Message<byte[]> handleInternal(StompHeaderAccessor errorHeaderAccessor, byte[] errorPayload,
			@Nullable Throwable cause, @Nullable StompHeaderAccessor clientHeaderAccessor) {
		if (cause != null) {
			// No client frame means the bytes could not even be decoded into one.
			String reason = (clientHeaderAccessor == null) ? "Malformed or oversized frame" : reasonFor(cause);
			errorHeaderAccessor.setMessage(reason);
			String subject = ((clientHeaderAccessor != null) ? clientHeaderAccessor.getCommand() : "frame")
					+ " from session " + ((clientHeaderAccessor != null) ? clientHeaderAccessor.getSessionId() : "?");
			if (this.refusals != null) {
				this.refusals.refused(reason, subject);
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Refused " + subject + ": " + reason);
			}
			errorPayload = new byte[0];
		}
		return super.handleInternal(errorHeaderAccessor, errorPayload, cause, clientHeaderAccessor);
	}

	static String reasonFor(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ListenDeniedException || cause instanceof InvalidChannelException) {
				return cause.getMessage();
			}
			if (cause instanceof StompConversionException) {
				return "Malformed or oversized frame";
			}
			if (cause instanceof CsrfException) {
				return "Invalid or missing CSRF token";
			}
			if (cause instanceof AccessDeniedException) {
				return "Access denied";
			}
		}
		return "Bad request";
	}

}
