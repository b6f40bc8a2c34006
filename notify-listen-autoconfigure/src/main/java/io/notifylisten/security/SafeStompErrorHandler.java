package io.notifylisten.security;

import io.notifylisten.channel.InvalidChannelException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompConversionException;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.web.socket.messaging.StompSubProtocolErrorHandler;

/**
 * Turns any failure while handling a client frame into an ERROR frame with a short, safe message:
 * the reason a client can act on, never an exception class, stack trace or header value. Spring
 * closes the connection after sending it.
 */
public class SafeStompErrorHandler extends StompSubProtocolErrorHandler {

	private static final Log logger = LogFactory.getLog(SafeStompErrorHandler.class);

	@Override
	protected Message<byte[]> handleInternal(StompHeaderAccessor errorHeaderAccessor, byte[] errorPayload,
			@Nullable Throwable cause, @Nullable StompHeaderAccessor clientHeaderAccessor) {
		if (cause != null) {
			// No client frame means the bytes could not even be decoded into one.
			String reason = (clientHeaderAccessor == null) ? "Malformed or oversized frame" : reasonFor(cause);
			errorHeaderAccessor.setMessage(reason);
			if (logger.isDebugEnabled()) {
				logger.debug("Refused " + ((clientHeaderAccessor != null) ? clientHeaderAccessor.getCommand() : "frame")
						+ " from session " + ((clientHeaderAccessor != null) ? clientHeaderAccessor.getSessionId() : "?")
						+ ": " + reason);
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
