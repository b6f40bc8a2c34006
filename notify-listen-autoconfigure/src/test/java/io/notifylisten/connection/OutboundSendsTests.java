package io.notifylisten.connection;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;

class OutboundSendsTests {

	private final OutboundSends sends = new OutboundSends();

	private final MessageChannel channel = new ExecutorSubscribableChannel();

	private final MessageHandler handler = (message) -> {
	};

	@Test
	void quiesceWaitsForTheWriteInProgressThenLetsNothingElseThrough() throws Exception {
		this.sends.opened("s1");
		Message<?> connected = message("s1");
		assertThat(this.sends.beforeHandle(connected, this.channel, this.handler)).isSameAs(connected);
		CompletableFuture<Boolean> quiesced = CompletableFuture.supplyAsync(() -> quiesce("s1", Duration.ofSeconds(5)));
		Thread.sleep(200);
		assertThat(quiesced).as("waits while CONNECTED is being written").isNotDone();
		this.sends.afterMessageHandled(connected, this.channel, this.handler, null);
		assertThat(quiesced.get(2, TimeUnit.SECONDS)).isTrue();
		assertThat(this.sends.beforeHandle(message("s1"), this.channel, this.handler))
			.as("nothing more for a session closing with an ERROR")
			.isNull();
	}

	@Test
	void otherSessionsAreNotHeldUp() throws Exception {
		this.sends.opened("s1");
		this.sends.opened("s2");
		this.sends.beforeHandle(message("s2"), this.channel, this.handler);
		assertThat(quiesce("s1", Duration.ofSeconds(5))).isTrue();
		Message<?> next = message("s2");
		assertThat(this.sends.beforeHandle(next, this.channel, this.handler)).isSameAs(next);
	}

	@Test
	void givesUpAfterTheTimeout() {
		this.sends.opened("s1");
		this.sends.beforeHandle(message("s1"), this.channel, this.handler);
		long start = System.nanoTime();
		assertThat(quiesce("s1", Duration.ofMillis(300))).isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void forgetsClosedSessions() {
		this.sends.opened("s1");
		this.sends.beforeHandle(message("s1"), this.channel, this.handler);
		this.sends.closed("s1");
		assertThat(this.sends.size()).isZero();
		assertThat(quiesce("s1", Duration.ofSeconds(5))).as("nothing to wait for").isTrue();
	}

	private boolean quiesce(String sessionId, Duration timeout) {
		try {
			return this.sends.quiesce(sessionId, timeout);
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Message<?> message(String sessionId) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setSessionId(sessionId);
		return MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
	}

}
