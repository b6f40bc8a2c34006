package io.notifylisten.internal.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.Notifier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /rest/pusher/notify}: lets a service in another language notify, authenticated by an
 * HMAC-SHA256 over {@code method \n path \n timestamp \n body} made with the shared secret. A request
 * older or newer than the replay window, or one whose signature was seen before, is refused; every
 * refusal is a 401 with a short JSON error.
 */
@RestController
public class PublishController {

	/** Path of the publish endpoint. */
	public static final String PATH = "/rest/pusher/notify";

	/** Header with the request time, in seconds since the epoch. */
	public static final String TIMESTAMP_HEADER = "X-Notify-Timestamp";

	/** Header with the hex HMAC-SHA256 signature. */
	public static final String SIGNATURE_HEADER = "X-Notify-Signature";

	/** A refused notification may be sent again after this many seconds: the stream's default recovery interval. */
	private static final String RETRY_AFTER_SECONDS = "5";

	private final Notifier notifier;

	private final SubscriptionSigner signer;

	private final JsonMapper jsonMapper;

	private final Duration window;

	private final Clock clock;

	// Signatures seen within the window, oldest first: a replay inside the window is refused too.
	private final Map<String, Instant> seen = new LinkedHashMap<>();

	public PublishController(Notifier notifier, SubscriptionSigner signer, JsonMapper jsonMapper, Duration window,
			Clock clock) {
		this.notifier = notifier;
		this.signer = signer;
		this.jsonMapper = jsonMapper;
		this.window = window;
		this.clock = clock;
	}

	@PostMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> publish(
			@RequestHeader(name = TIMESTAMP_HEADER, required = false) @Nullable String timestamp,
			@RequestHeader(name = SIGNATURE_HEADER, required = false) @Nullable String signature,
			@RequestBody(required = false) byte @Nullable [] body) {
		byte[] content = (body != null) ? body : new byte[0];
		String refusal = check(timestamp, signature, content);
		if (refusal != null) {
			return JsonError.of(HttpStatus.UNAUTHORIZED, refusal);
		}
		try {
			JsonNode request = this.jsonMapper.readTree(content);
			String entity = text(request, "entity");
			String id = text(request, "id");
			String action = text(request, "action");
			Map<String, Object> payload = payloadOf(request);
			if (request.hasNonNull("user")) {
				this.notifier.notifyUser(request.get("user").asString(), entity, id, action, payload);
			}
			else if (request.hasNonNull("role")) {
				this.notifier.notifyRole(request.get("role").asString(), entity, id, action, payload);
			}
			else if (request.path("broadcast").asBoolean(false)) {
				this.notifier.broadcast(entity, id, action, payload);
			}
			else {
				this.notifier.notify(entity, id, action, payload);
			}
			return ResponseEntity.ok(Map.of("sent", true));
		}
		catch (NotificationFailedException ex) {
			// Not accepted (the broker has been away too long): the caller should send it again.
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("error", ex.getMessage()));
		}
		catch (JacksonException ex) {
			return JsonError.of(HttpStatus.BAD_REQUEST, "Body must be a JSON object");
		}
		catch (IllegalArgumentException ex) {
			// Invalid channel parts, a payload over the limit, a missing field: all say what to fix.
			return JsonError.of(HttpStatus.BAD_REQUEST, ex.getMessage());
		}
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> payloadOf(JsonNode request) {
		JsonNode payload = request.get("payload");
		if (payload == null || payload.isNull()) {
			return Map.of();
		}
		if (!payload.isObject()) {
			throw new IllegalArgumentException("Payload must be a JSON object");
		}
		return this.jsonMapper.convertValue(payload, Map.class);
	}

	private @Nullable String check(@Nullable String timestamp, @Nullable String signature, byte[] body) {
		if (timestamp == null || signature == null) {
			return "Missing " + TIMESTAMP_HEADER + " or " + SIGNATURE_HEADER;
		}
		Instant at;
		try {
			at = Instant.ofEpochSecond(Long.parseLong(timestamp));
		}
		catch (NumberFormatException ex) {
			return "Invalid timestamp";
		}
		Instant now = this.clock.instant();
		if (Duration.between(at, now).abs().compareTo(this.window) > 0) {
			return "Timestamp outside the replay window";
		}
		String signed = "POST\n" + PATH + "\n" + timestamp + "\n" + new String(body, StandardCharsets.UTF_8);
		byte[] expected = this.signer.signRaw(signed).getBytes(StandardCharsets.US_ASCII);
		if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
			return "Invalid signature";
		}
		synchronized (this.seen) {
			for (Iterator<Instant> it = this.seen.values().iterator(); it.hasNext();) {
				if (it.next().isBefore(now.minus(this.window))) {
					it.remove();
				}
				else {
					break;
				}
			}
			if (this.seen.putIfAbsent(signature, now) != null) {
				return "Replayed request";
			}
		}
		return null;
	}

	private static String text(JsonNode request, String field) {
		JsonNode value = request.get(field);
		if (value == null || value.isNull()) {
			throw new IllegalArgumentException("Missing " + field);
		}
		return value.asString();
	}

}
