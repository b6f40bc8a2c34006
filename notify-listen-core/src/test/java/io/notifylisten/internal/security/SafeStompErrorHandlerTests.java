package io.notifylisten.internal.security;

import io.notifylisten.channel.InvalidChannelException;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.security.web.csrf.DefaultCsrfToken;
import org.springframework.security.web.csrf.InvalidCsrfTokenException;

import static org.assertj.core.api.Assertions.assertThat;

class SafeStompErrorHandlerTests {

	private final SafeStompErrorHandler handler = new SafeStompErrorHandler();

	@Test
	void sendsTheReasonOfOurOwnRefusals() {
		assertThat(errorFor(wrapped(new ListenDeniedException("Listen role required"))))
			.isEqualTo("Listen role required");
		assertThat(errorFor(wrapped(new InvalidChannelException("Channel id must be letters, digits, '_' or '-'"))))
			.isEqualTo("Channel id must be letters, digits, '_' or '-'");
	}

	@Test
	void hidesCsrfTokenValuesAndInternals() {
		DefaultCsrfToken token = new DefaultCsrfToken("X-CSRF-TOKEN", "_csrf", "expected-token-value");
		String reason = errorFor(wrapped(new InvalidCsrfTokenException(token, "actual-token-value")));
		assertThat(reason).isEqualTo("Invalid or missing CSRF token");

		String internal = errorFor(wrapped(new IllegalStateException("java.sql.SQLException at db-7.internal")));
		assertThat(internal).isEqualTo("Bad request");
	}

	@Test
	void callsBytesThatCouldNotBeDecodedMalformed() {
		Message<byte[]> error = this.handler.handleClientMessageProcessingError(null,
				new IllegalArgumentException("No enum constant StompCommand.GARBAGE"));
		assertThat(StompHeaderAccessor.wrap(error).getMessage()).isEqualTo("Malformed or oversized frame");
	}

	private String errorFor(Throwable failure) {
		StompHeaderAccessor subscribe = StompHeaderAccessor.create(StompCommand.SUBSCRIBE);
		Message<byte[]> client = MessageBuilder.createMessage(new byte[0], subscribe.getMessageHeaders());
		Message<byte[]> error = this.handler.handleClientMessageProcessingError(client, failure);
		StompHeaderAccessor accessor = StompHeaderAccessor.wrap(error);
		assertThat(accessor.getCommand()).isEqualTo(StompCommand.ERROR);
		assertThat(error.getPayload()).isEmpty();
		return accessor.getMessage();
	}

	private static Throwable wrapped(Exception cause) {
		return new MessageDeliveryException(MessageBuilder.withPayload(new byte[0]).build(),
				"Failed to send message to ExecutorSubscribableChannel[clientInboundChannel]", cause);
	}

}
