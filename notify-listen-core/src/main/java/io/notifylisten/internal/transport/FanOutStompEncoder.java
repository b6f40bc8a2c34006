package io.notifylisten.internal.transport;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompEncoder;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.NativeMessageHeaderAccessor;

/**
 * Spring's STOMP encoder, except that a MESSAGE frame fanned out to many subscribers is
 * encoded once: the broker hands every subscriber the same payload with the same headers
 * but for {@code subscription} and {@code message-id}, and Spring's STOMP handler encodes
 * each copy anew, header by header. Here the rest of the frame (its other headers,
 * {@code content-length} and body, as Spring's encoder writes them) is kept per payload
 * and only the two headers are written per subscriber. A frame is only taken from the
 * cache when its payload is the very same array and its other headers are equal to those
 * it was encoded with; anything else is encoded as Spring does.
 */
class FanOutStompEncoder extends StompEncoder {

	private static final String SUBSCRIPTION = "subscription";

	private static final String MESSAGE_ID = "message-id";

	private static final String MESSAGE_LINE_TEXT = "MESSAGE\n";

	private static final byte[] MESSAGE_LINE = MESSAGE_LINE_TEXT.getBytes(StandardCharsets.US_ASCII);

	private static final byte[] SUBSCRIPTION_KEY = (SUBSCRIPTION + ":").getBytes(StandardCharsets.US_ASCII);

	private static final byte[] MESSAGE_ID_KEY = (MESSAGE_ID + ":").getBytes(StandardCharsets.US_ASCII);

	/**
	 * Several slots: the outbound threads interleave the fan-outs of notifications sent
	 * close together.
	 */
	private static final int SLOTS = 32;

	/** Per slot, an {@link EncodedTail} or a payload seen once. */
	private final AtomicReferenceArray<Object> recent = new AtomicReferenceArray<>(SLOTS);

	@Override
	public byte[] encode(Map<String, Object> headers, byte[] payload) {
		if (StompHeaderAccessor.getCommand(headers) != StompCommand.MESSAGE
				|| !(headers.get(NativeMessageHeaderAccessor.NATIVE_HEADERS) instanceof Map<?, ?> nativeHeaders)) {
			return super.encode(headers, payload);
		}
		String subscription = single(nativeHeaders, SUBSCRIPTION);
		String messageId = single(nativeHeaders, MESSAGE_ID);
		if (subscription == null || messageId == null) {
			return super.encode(headers, payload);
		}
		int slot = System.identityHashCode(payload) & (SLOTS - 1);
		Object recent = this.recent.get(slot);
		EncodedTail tail;
		if (recent instanceof EncodedTail encoded && encoded.isFor(payload, nativeHeaders)) {
			tail = encoded;
		}
		else if (recent == payload) {
			// Seen before: a fan-out, worth keeping the rest of the frame for.
			tail = encodeTail(headers, nativeHeaders, payload);
			this.recent.set(slot, tail);
		}
		else {
			// A payload for one subscriber only (@NotifyListen results, recovery frames)
			// costs no more than Spring's encoding: only its identity is remembered.
			this.recent.set(slot, payload);
			return super.encode(headers, payload);
		}
		return tail.frame(escape(subscription).getBytes(StandardCharsets.UTF_8),
				escape(messageId).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Encode what follows the command line and the {@code subscription} and
	 * {@code message-id} headers of a MESSAGE frame: its other headers,
	 * {@code content-length}, the blank line, the body and the NUL octet.
	 * @param headers the message's headers as Spring's STOMP handler hands them to the
	 * encoder
	 * @param payload the body
	 * @return the rest of the frame
	 */
	String encodeTail(Map<String, Object> headers, byte[] payload) {
		Map<?, ?> nativeHeaders = (headers.get(NativeMessageHeaderAccessor.NATIVE_HEADERS) instanceof Map<?, ?> map)
				? map : Map.of();
		return new String(encodeTail(headers, nativeHeaders, payload).tail(), StandardCharsets.UTF_8);
	}

	private EncodedTail encodeTail(Map<String, Object> headers, Map<?, ?> nativeHeaders, byte[] payload) {
		Map<String, List<String>> others = otherHeaders(nativeHeaders);
		Map<String, Object> withoutPerSubscriber = new HashMap<>(headers);
		withoutPerSubscriber.put(NativeMessageHeaderAccessor.NATIVE_HEADERS, others);
		byte[] frame = super.encode(withoutPerSubscriber, payload);
		byte[] tail = new byte[frame.length - MESSAGE_LINE.length];
		System.arraycopy(frame, MESSAGE_LINE.length, tail, 0, tail.length);
		return new EncodedTail(payload, others, tail);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, List<String>> otherHeaders(Map<?, ?> nativeHeaders) {
		Map<String, List<String>> others = new LinkedHashMap<>();
		nativeHeaders.forEach((key, values) -> {
			if (!SUBSCRIPTION.equals(key) && !MESSAGE_ID.equals(key)) {
				others.put((String) key, (List<String>) values);
			}
		});
		return others;
	}

	private static @Nullable String single(Map<?, ?> nativeHeaders, String name) {
		return (nativeHeaders.get(name) instanceof List<?> values && values.size() == 1
				&& values.get(0) instanceof String value) ? value : null;
	}

	/**
	 * Return the start of a MESSAGE frame as {@link #encode} writes it from a kept tail:
	 * the command line and the two per-subscriber headers; the frame is this followed by
	 * what {@link #encodeTail(Map, byte[])} returned for the message.
	 * @param subscription the subscription id
	 * @param messageId the message id
	 * @return the text before the tail
	 */
	static String head(String subscription, String messageId) {
		return MESSAGE_LINE_TEXT + SUBSCRIPTION + ':' + escape(subscription) + '\n' + MESSAGE_ID + ':'
				+ escape(messageId) + '\n';
	}

	// STOMP 1.2 value encoding, as Spring's encoder applies it to MESSAGE headers.
	private static String escape(String value) {
		if (value.indexOf('\\') < 0 && value.indexOf(':') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
			return value;
		}
		return value.replace("\\", "\\\\").replace(":", "\\c").replace("\n", "\\n").replace("\r", "\\r");
	}

	/**
	 * What follows the two per-subscriber headers: the other headers,
	 * {@code content-length}, the blank line, the body and the NUL octet.
	 */
	private record EncodedTail(byte[] payload, Map<String, List<String>> headers, byte[] tail) {

		boolean isFor(byte[] payload, Map<?, ?> nativeHeaders) {
			if (this.payload != payload) {
				return false;
			}
			int others = nativeHeaders.size() - 2;
			if (others != this.headers.size()) {
				return false;
			}
			for (Map.Entry<String, List<String>> header : this.headers.entrySet()) {
				if (!header.getValue().equals(nativeHeaders.get(header.getKey()))) {
					return false;
				}
			}
			return true;
		}

		byte[] frame(byte[] subscription, byte[] messageId) {
			byte[] frame = new byte[MESSAGE_LINE.length + SUBSCRIPTION_KEY.length + subscription.length + 1
					+ MESSAGE_ID_KEY.length + messageId.length + 1 + this.tail.length];
			int at = put(frame, 0, MESSAGE_LINE);
			at = put(frame, at, SUBSCRIPTION_KEY);
			at = put(frame, at, subscription);
			frame[at++] = '\n';
			at = put(frame, at, MESSAGE_ID_KEY);
			at = put(frame, at, messageId);
			frame[at++] = '\n';
			put(frame, at, this.tail);
			return frame;
		}

		private static int put(byte[] frame, int at, byte[] bytes) {
			System.arraycopy(bytes, 0, frame, at, bytes.length);
			return at + bytes.length;
		}

	}

}
