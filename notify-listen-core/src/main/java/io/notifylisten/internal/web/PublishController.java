package io.notifylisten.internal.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.Notifier;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /rest/pusher/notify}: lets a service in another language notify,
 * authenticated by an HMAC-SHA256 over {@code method \n path \n timestamp \n body} made
 * with the shared secret. A request older or newer than the replay window, or one whose
 * signature was seen before, is refused; every refusal is a 401 with a short JSON error.
 * The headers are checked before the body is read, and a body larger than the limit is
 * refused with a 413 without being read.
 */
@RestController
public class PublishController {

	/** Path of the publish endpoint. */
	public static final String PATH = "/rest/pusher/notify";

	/** Header with the request time, in seconds since the epoch. */
	public static final String TIMESTAMP_HEADER = "X-Notify-Timestamp";

	/** Header with the hex HMAC-SHA256 signature. */
	public static final String SIGNATURE_HEADER = "X-Notify-Signature";

	/**
	 * Most signatures remembered at once, each for up to two replay windows: about 25 MB.
	 * Only requests signed with the secret are remembered, so only a service that holds
	 * it can fill this; a runaway one then gets 429s instead of exhausting the node's
	 * memory.
	 */
	public static final int MAX_REMEMBERED_SIGNATURES = 100_000;

	/**
	 * A refused notification may be sent again after this many seconds: the stream's
	 * default recovery interval.
	 */
	private static final String RETRY_AFTER_SECONDS = "5";

	// Up to year 5138: a longer number is no time a clock of this era sends.
	private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,11}");

	private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");

	private final Notifier notifier;

	private final SubscriptionSigner signer;

	private final JsonMapper jsonMapper;

	private final Duration window;

	private final int maxRequestSize;

	private final Clock clock;

	private final SeenSignatures seen;

	/**
	 * Create the controller.
	 * @param notifier sends what the requests ask for
	 * @param signer holds the secret the requests are signed with
	 * @param jsonMapper reads the requests
	 * @param window how far a request's timestamp may be from the clock
	 * @param maxRequestSize largest body read, in bytes
	 * @param clock the clock
	 */
	public PublishController(Notifier notifier, SubscriptionSigner signer, JsonMapper jsonMapper, Duration window,
			int maxRequestSize, Clock clock) {
		this(notifier, signer, jsonMapper, window, maxRequestSize, clock, MAX_REMEMBERED_SIGNATURES);
	}

	PublishController(Notifier notifier, SubscriptionSigner signer, JsonMapper jsonMapper, Duration window,
			int maxRequestSize, Clock clock, int maxRememberedSignatures) {
		this.notifier = notifier;
		this.signer = signer;
		this.jsonMapper = jsonMapper;
		this.window = window;
		this.maxRequestSize = maxRequestSize;
		this.clock = clock;
		this.seen = new SeenSignatures(window, maxRememberedSignatures);
	}

	@PostMapping(path = PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> publish(@RequestHeader(name = TIMESTAMP_HEADER, required = false) @Nullable String timestamp,
			@RequestHeader(name = SIGNATURE_HEADER, required = false) @Nullable String signature,
			HttpServletRequest request) {
		if (timestamp == null || signature == null) {
			return refused("Missing " + TIMESTAMP_HEADER + " or " + SIGNATURE_HEADER);
		}
		if (!TIMESTAMP.matcher(timestamp).matches()) {
			return refused("Invalid timestamp");
		}
		Instant at = Instant.ofEpochSecond(Long.parseLong(timestamp));
		Instant now = this.clock.instant();
		if (Duration.between(at, now).abs().compareTo(this.window) > 0) {
			return refused("Timestamp outside the replay window");
		}
		if (!SIGNATURE.matcher(signature).matches()) {
			return refused("Invalid signature");
		}
		// Anyone can send a body: none is held beyond the limit, whatever Content-Length
		// says.
		if (request.getContentLengthLong() > this.maxRequestSize) {
			return tooLarge();
		}
		byte[] body;
		try {
			body = readAtMost(request.getInputStream(), this.maxRequestSize);
		}
		catch (IOException ex) {
			return JsonError.of(HttpStatus.BAD_REQUEST, "Body could not be read");
		}
		if (body == null) {
			return tooLarge();
		}
		String signed = "POST\n" + PATH + "\n" + timestamp + "\n";
		byte[] expected = this.signer.signRaw(signed.getBytes(StandardCharsets.UTF_8), body)
			.getBytes(StandardCharsets.US_ASCII);
		if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
			return refused("Invalid signature");
		}
		return switch (this.seen.remember(signature, at, now)) {
			case FIRST -> send(body);
			case REPLAYED -> refused("Replayed request");
			case FULL -> ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
				.header(HttpHeaders.RETRY_AFTER, String.valueOf(this.seen.untilRoom(now).toSeconds() + 1))
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("error", "Too many signed requests within the replay window"));
		};
	}

	private ResponseEntity<?> send(byte[] body) {
		try {
			JsonNode request = this.jsonMapper.readTree(body);
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
			// Not accepted (the broker has been away too long): the caller should send it
			// again.
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("error", ex.getMessage()));
		}
		catch (JacksonException ex) {
			return JsonError.of(HttpStatus.BAD_REQUEST, "Body must be a JSON object");
		}
		catch (IllegalArgumentException ex) {
			// Invalid channel parts, a payload over the limit, a missing field: all say
			// what to fix.
			return JsonError.of(HttpStatus.BAD_REQUEST, ex.getMessage());
		}
	}

	private ResponseEntity<?> refused(String reason) {
		return JsonError.of(HttpStatus.UNAUTHORIZED, reason);
	}

	private ResponseEntity<?> tooLarge() {
		return JsonError.of(HttpStatus.CONTENT_TOO_LARGE, "Request body larger than " + this.maxRequestSize + " bytes");
	}

	// Stops one byte past the limit, so that a larger body is known without reading it.
	private static byte @Nullable [] readAtMost(InputStream in, int limit) throws IOException {
		byte[] body = in.readNBytes(limit);
		return (in.read() < 0) ? body : null;
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

	private static String text(JsonNode request, String field) {
		JsonNode value = request.get(field);
		if (value == null || value.isNull()) {
			throw new IllegalArgumentException("Missing " + field);
		}
		return value.asString();
	}

}
