package io.notifylisten.internal.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompDecoder;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FanOutStompEncoder} against Spring's {@link StompEncoder}: what a client decodes
 * must be the same, whether the frame came from the cache or not.
 */
class FanOutStompEncoderTests {

	private final FanOutStompEncoder encoder = new FanOutStompEncoder();

	private final StompEncoder spring = new StompEncoder();

	private final byte[] payload = "{\"entity\":\"Order\",\"id\":\"7\"}".getBytes(StandardCharsets.UTF_8);

	@Test
	void eachSubscriberOfAFanOutGetsWhatSpringsEncoderWrites() {
		for (int subscriber = 0; subscriber < 3; subscriber++) {
			Message<byte[]> message = message(this.payload, "sub-" + subscriber, "s" + subscriber + "-1", "Order.7");
			assertSameFrame(message);
		}
	}

	@Test
	void headerValuesAreEscapedAsSpringEscapesThem() {
		assertSameFrame(message(this.payload, "a:b\\c", "id\nwith\rbreaks", "x:y"));
		assertSameFrame(message(this.payload, "a:b\\c", "second", "x:y"));
	}

	@Test
	void theSamePayloadWithOtherHeadersIsEncodedAfresh() {
		// Two subscribers: the second is served from the cache.
		assertSameFrame(message(this.payload, "sub-0", "m-1", "Order.7"));
		assertSameFrame(message(this.payload, "sub-1", "m-2", "Order.7"));
		Message<byte[]> other = message(this.payload, "sub-0", "m-3", "Order.8");
		assertSameFrame(other);
		assertThat(decode(this.encoder.encode(other)).getFirstNativeHeader("channel")).isEqualTo("Order.8");
	}

	@Test
	void anEqualPayloadInAnotherArrayIsEncodedAfresh() {
		assertSameFrame(message(this.payload, "sub-0", "m-1", "Order.7"));
		byte[] changed = this.payload.clone();
		changed[2] = 'E';
		assertSameFrame(message(changed, "sub-0", "m-2", "Order.7"));
	}

	@Test
	void aPayloadSeenOnceIsEncodedBySpringsEncoderAlone() {
		Message<byte[]> relayed = message(this.payload.clone(), "sub-0", "m-1", "Order.7");
		assertThat(this.encoder.encode(relayed)).isEqualTo(this.spring.encode(relayed));
	}

	@Test
	void framesOtherThanMessageAreSpringsOwn() {
		StompHeaderAccessor connected = StompHeaderAccessor.create(StompCommand.CONNECTED);
		connected.setVersion("1.2");
		connected.setHeartbeat(10_000, 10_000);
		StompHeaderAccessor error = StompHeaderAccessor.create(StompCommand.ERROR);
		error.setMessage("Access denied");
		for (StompHeaderAccessor headers : List.of(connected, error, StompHeaderAccessor.createForHeartbeat())) {
			Message<byte[]> message = MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
			assertThat(this.encoder.encode(message)).isEqualTo(this.spring.encode(message));
		}
	}

	private void assertSameFrame(Message<byte[]> message) {
		StompHeaderAccessor ours = decode(this.encoder.encode(message));
		StompHeaderAccessor theirs = decode(this.spring.encode(message));
		assertThat(ours.getCommand()).isEqualTo(theirs.getCommand());
		assertThat(ours.toNativeHeaderMap()).isEqualTo(theirs.toNativeHeaderMap());
		assertThat(ours.getNativeHeader("content-length")).isEqualTo(theirs.getNativeHeader("content-length"));
	}

	private static StompHeaderAccessor decode(byte[] frame) {
		List<Message<byte[]>> messages = new StompDecoder().decode(ByteBuffer.wrap(frame));
		assertThat(messages).hasSize(1);
		Message<byte[]> decoded = messages.get(0);
		assertThat(frame[frame.length - 1]).isZero();
		StompHeaderAccessor headers = StompHeaderAccessor.wrap(decoded);
		// The body travels too.
		headers.setNativeHeader("body", new String(decoded.getPayload(), StandardCharsets.UTF_8));
		return headers;
	}

	// As Spring's STOMP handler hands a broker's message to the encoder.
	private static Message<byte[]> message(byte[] payload, String subscription, String messageId, String channel) {
		StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.MESSAGE);
		headers.setDestination("/topic/orders." + channel);
		headers.setContentType(org.springframework.util.MimeTypeUtils.APPLICATION_JSON);
		headers.setSubscriptionId(subscription);
		headers.setMessageId(messageId);
		headers.setNativeHeader("channel", channel);
		headers.setNativeHeader("sequence", "42");
		Map<String, List<String>> nativeHeaders = headers.toNativeHeaderMap();
		assertThat(nativeHeaders).containsKeys("subscription", "message-id");
		return MessageBuilder.createMessage(payload, headers.getMessageHeaders());
	}

}
