package io.notifylisten.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.RawStompSocket;
import io.notifylisten.testapp.RawStompSocket.Received;
import io.notifylisten.tokenapp.TokenTestApplication;
import io.notifylisten.tokenapp.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.tokenapp.TokenTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application on Spring Security's OAuth2 Resource Server with bearer JWTs and no HTTP
 * session ({@link TokenTestApplication}) listens with the starter and properties only:
 * the token on STOMP CONNECT and on the HTTP requests, its expiry and its refresh on the
 * same connection, over a raw WebSocket as a browser's client speaks it.
 */
@SpringBootTest(classes = TokenTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "notify-listen.key=tokens", "notify-listen.secret=" + OrdersServerTest.SECRET,
				"notify-listen.allowed-origins=" + BearerTokenIntegrationTests.SPA,
				"logging.level.io.notifylisten=DEBUG", "logging.level.org.springframework.security=DEBUG" })
@ExtendWith(OutputCaptureExtension.class)
class BearerTokenIntegrationTests {

	static final String SPA = "https://spa.example";

	private static final String ALICE = "alice";

	private static final String ENDPOINT = "/notify-listen/ws";

	private static final Duration WAIT = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void aValidTokenListensAndReceives() throws Exception {
		Instant expiresAt = inSeconds(60);
		try (RawStompSocket raw = connect(Tokens.valid(ALICE, expiresAt))) {
			Received connected = raw.read(1, WAIT);
			assertThat(raw.handshakeResponse).as("no HTTP session").doesNotContainIgnoringCase("Set-Cookie");
			assertThat(connected.frames()).first().asString().startsWith("CONNECTED\n");
			assertThat(connected.header("token-expires-at")).isEqualTo(String.valueOf(expiresAt.toEpochMilli()));

			subscribe(raw, Tokens.valid(ALICE, expiresAt), connected.header("connection-id"), "Order/1/refresh");
			this.notifier.notify("Order", 1, "refresh");

			Received received = raw.read(1, WAIT);
			assertThat(received.error()).isNull();
			assertThat(received.messages()).isOne();
		}
	}

	@Test
	void aTokenThatIsForgedForAnotherIssuerOrAudienceOrMalformedIsInvalid() throws Exception {
		Map<String, String> refused = new LinkedHashMap<>();
		for (String token : new String[] { Tokens.wrongSignature(ALICE), Tokens.wrongIssuer(ALICE),
				Tokens.wrongAudience(ALICE), "not.a.token", "" }) {
			try (RawStompSocket raw = connect(token)) {
				Received received = raw.readUntilClosed(WAIT);
				refused.put(token, received.error());
				assertThat(received.closed()).as(token).isTrue();
			}
		}
		assertThat(refused.values()).containsOnly("Invalid token");
	}

	@Test
	void anExpiredTokenIsRefusedAsExpired() throws Exception {
		try (RawStompSocket raw = connect(Tokens.valid(ALICE, inSeconds(-5)))) {
			Received received = raw.readUntilClosed(WAIT);

			assertThat(received.error()).isEqualTo("Token expired");
			assertThat(received.closed()).isTrue();
		}
	}

	@Test
	void withoutATokenOrASessionALoginIsRequired() throws Exception {
		try (RawStompSocket raw = RawStompSocket.open(this.port, ENDPOINT, null, Map.of())) {
			raw.sendFrame("CONNECT", Map.of("accept-version", "1.2", "heart-beat", "0,0"), "");

			assertThat(raw.readUntilClosed(WAIT).error()).isEqualTo("Login required");
		}
	}

	@Test
	void deliveriesStopAndTheConnectionEndsWhenTheTokenExpires() throws Exception {
		Instant expiresAt = inSeconds(3);
		try (RawStompSocket raw = connect(Tokens.valid(ALICE, expiresAt))) {
			Received connected = raw.read(1, WAIT);
			subscribe(raw, Tokens.valid(ALICE, expiresAt), connected.header("connection-id"), "Order/2/refresh");
			this.notifier.notify("Order", 2, "refresh");
			assertThat(raw.read(1, WAIT).messages()).isOne();

			Received ended = raw.readUntilClosed(Duration.between(Instant.now(), expiresAt).plus(WAIT));

			assertThat(Instant.now()).isAfterOrEqualTo(expiresAt);
			assertThat(ended.error()).isEqualTo("Token expired");
			assertThat(ended.messages()).isZero();
			assertThat(ended.closed()).isTrue();
		}
	}

	@Test
	void aFreshTokenBeforeExpiryKeepsTheSameConnectionListening() throws Exception {
		Instant firstExpiry = inSeconds(3);
		Instant secondExpiry = inSeconds(60);
		try (RawStompSocket raw = connect(Tokens.valid(ALICE, firstExpiry))) {
			Received connected = raw.read(1, WAIT);
			subscribe(raw, Tokens.valid(ALICE, firstExpiry), connected.header("connection-id"), "Order/4/refresh");

			sendFreshToken(raw, Tokens.valid(ALICE, secondExpiry), "token-1");
			Received receipt = raw.read(1, WAIT);
			assertThat(receipt.frames()).first().asString().startsWith("RECEIPT\n");
			assertThat(receipt.header("receipt-id")).isEqualTo("token-1");
			assertThat(receipt.header("token-expires-at")).isEqualTo(String.valueOf(secondExpiry.toEpochMilli()));

			Thread.sleep(Duration.between(Instant.now(), firstExpiry).plusMillis(500).toMillis());
			this.notifier.notify("Order", 4, "refresh");

			Received received = raw.read(1, WAIT);
			assertThat(received.error()).isNull();
			assertThat(received.messages()).isOne();
		}
	}

	// Roles come from the token: a fresh one without the listen role ends the listening
	// as a revoked role does.
	@Test
	void aFreshTokenWithoutTheListenRoleStopsDeliveries() throws Exception {
		Instant expiresAt = inSeconds(60);
		try (RawStompSocket raw = connect(Tokens.valid(ALICE, expiresAt))) {
			Received connected = raw.read(1, WAIT);
			subscribe(raw, Tokens.valid(ALICE, expiresAt), connected.header("connection-id"), "Order/7/refresh");

			sendFreshToken(raw, Tokens.withoutListenRole(ALICE, expiresAt), "token-1");
			assertThat(raw.read(1, WAIT).header("receipt-id")).isEqualTo("token-1");
			this.notifier.notify("Order", 7, "refresh");

			assertThat(raw.read(1, Duration.ofSeconds(1)).messages()).isZero();
		}
	}

	@Test
	void aFreshTokenForAnotherUserIsRefused() throws Exception {
		try (RawStompSocket raw = connect(Tokens.valid(ALICE, inSeconds(60)))) {
			raw.read(1, WAIT);
			sendFreshToken(raw, Tokens.valid(BOB, inSeconds(60)), "token-1");

			Received received = raw.readUntilClosed(WAIT);
			assertThat(received.error()).isEqualTo("Invalid token");
			assertThat(received.closed()).isTrue();
		}
	}

	@Test
	void aTokenConnectionMaySendNothingButAFreshToken() throws Exception {
		try (RawStompSocket raw = connect(Tokens.valid(ALICE, inSeconds(60)))) {
			raw.read(1, WAIT);
			raw.sendFrame("SEND", Map.of("destination", "/topic/tokens.Order.1.refresh"), "{}");

			assertThat(raw.readUntilClosed(WAIT).error()).isEqualTo("Clients may not send messages");
		}
	}

	@Test
	void theSettingsAndASignatureNeedOnlyTheTokenAndOpenNoSession() throws Exception {
		String token = Tokens.valid(ALICE, inSeconds(60));
		HttpResponse<String> settings = send(request("/rest/pusher/key").header("Authorization", "Bearer " + token));
		assertThat(settings.statusCode()).isEqualTo(200);
		assertThat(json(settings).get("csrf").isNull()).isTrue();
		assertThat(settings.headers().firstValue("Set-Cookie")).isEmpty();

		HttpResponse<String> signed = send(
				signatureRequest(token, "0123456789abcdef0123456789abcdef", "Order/1/refresh"));
		assertThat(signed.statusCode()).isEqualTo(200);
		assertThat(json(signed).get("auth").asString()).startsWith("tokens:");
		assertThat(signed.headers().firstValue("Set-Cookie")).isEmpty();

		HttpResponse<String> withoutToken = send(
				request("/rest/pusher/auth").header("Content-Type", "application/x-www-form-urlencoded")
					.POST(HttpRequest.BodyPublishers
						.ofString("socket_id=0123456789abcdef0123456789abcdef" + "&channel_name=Order/1/refresh")));
		assertThat(withoutToken.statusCode()).isEqualTo(401);
		HttpResponse<String> forbidden = send(signatureRequest(Tokens.valid(BOB, inSeconds(60)),
				"0123456789abcdef0123456789abcdef", "Order/3/refresh"));
		assertThat(forbidden.statusCode()).isEqualTo(403);
	}

	@Test
	void anEventStreamListensWithTheTokenInItsHeader() throws Exception {
		try (EventStream stream = openEventStream("/notify-listen/sse/Order/5?events=refresh",
				Tokens.valid(ALICE, inSeconds(60)))) {
			this.notifier.notify("Order", 5, "refresh");

			String line;
			do {
				line = stream.lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			while (line != null && !line.startsWith("event:"));
			assertThat(line).isEqualTo("event:refresh");
		}
	}

	@Test
	void anEventStreamEndsWhenItsTokenExpires() throws Exception {
		Instant expiresAt = inSeconds(2);
		try (EventStream stream = openEventStream("/notify-listen/sse/Order/6?events=refresh",
				Tokens.valid(ALICE, expiresAt))) {

			assertThat(stream.ended.await(Duration.between(Instant.now(), expiresAt).plus(WAIT).toMillis(),
					TimeUnit.MILLISECONDS))
				.isTrue();
			assertThat(Instant.now()).isAfterOrEqualTo(expiresAt);
		}
	}

	// The page must be able to read why it was refused.
	@Test
	void aRefusedEventStreamCarriesTheCorsHeadersOfAnAllowedOrigin() throws Exception {
		HttpResponse<String> refused = send(request("/notify-listen/sse/Order/5?events=refresh").header("Origin", SPA)
			.header("Authorization", "Bearer " + Tokens.wrongSignature(ALICE)));

		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SPA);
	}

	@Test
	void theTokenIsNeverLoggedNorEchoedAndNothingLogsAtError(CapturedOutput output) throws Exception {
		String token = Tokens.valid(ALICE, inSeconds(60));
		String fresh = Tokens.valid(ALICE, inSeconds(120));
		String forged = Tokens.wrongSignature(ALICE);
		String other = Tokens.valid(BOB, inSeconds(60));
		StringBuilder seen = new StringBuilder();
		try (RawStompSocket raw = connect(token)) {
			Received connected = raw.read(1, WAIT);
			seen.append(connected.frames());
			sendFreshToken(raw, fresh, "token-1");
			seen.append(raw.read(1, WAIT).frames());
			sendFreshToken(raw, other, "token-2");
			seen.append(raw.readUntilClosed(WAIT).frames());
		}
		try (RawStompSocket raw = connect(forged)) {
			seen.append(raw.readUntilClosed(WAIT).frames());
		}
		send(signatureRequest(forged, "0123456789abcdef0123456789abcdef", "Order/1/refresh"));

		for (String secret : new String[] { token, fresh, forged, other }) {
			// The signature is what makes a token usable; a log of the whole token holds
			// it too.
			String signature = secret.substring(secret.lastIndexOf('.') + 1);
			assertThat(output.getAll()).doesNotContain(signature);
			assertThat(seen.toString()).doesNotContain(signature);
		}
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	private EventStream openEventStream(String path, String token) throws Exception {
		HttpRequest request = request(path).header("Accept", "text/event-stream")
			.header("Authorization", "Bearer " + token)
			.GET()
			.build();
		HttpResponse<Stream<String>> response = this.http.send(request, HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		EventStream stream = new EventStream(response.body());
		// The stream's subscriptions are made once the broker acknowledged it.
		Thread.sleep(200);
		return stream;
	}

	private RawStompSocket connect(String token) throws IOException {
		RawStompSocket raw = RawStompSocket.open(this.port, ENDPOINT, null, Map.of());
		raw.sendFrame("CONNECT",
				Map.of("accept-version", "1.2", "heart-beat", "0,0", "Authorization", "Bearer " + token), "");
		return raw;
	}

	// As the browser client refreshes a token ahead of its expiry.
	private static void sendFreshToken(RawStompSocket raw, String token, String receipt) throws IOException {
		raw.sendFrame("SEND",
				Map.of("destination", "/notify-listen/token", "Authorization", "Bearer " + token, "receipt", receipt),
				"");
	}

	private void subscribe(RawStompSocket raw, String token, String connectionId, String channel) throws Exception {
		HttpResponse<String> signed = send(signatureRequest(token, connectionId, channel));
		assertThat(signed.statusCode()).isEqualTo(200);
		raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/tokens." + channel.replace('/', '.'),
				"auth", json(signed).get("auth").asString()), "");
		// A SUBSCRIBE that succeeds gets no answer: give the server a moment to take it.
		Thread.sleep(200);
	}

	private HttpRequest.Builder signatureRequest(String token, String connectionId, String channel) {
		return request("/rest/pusher/auth").header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("socket_id=" + connectionId + "&channel_name=" + channel));
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static JsonNode json(HttpResponse<String> response) {
		return JsonMapper.shared().readTree(response.body());
	}

	// JWTs count in seconds.
	private static Instant inSeconds(long seconds) {
		return Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(seconds);
	}

	/** The lines of an event stream, read on a thread of their own. */
	private static final class EventStream implements AutoCloseable {

		final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

		final CountDownLatch ended = new CountDownLatch(1);

		private final Stream<String> body;

		EventStream(Stream<String> body) {
			this.body = body;
			Thread reader = new Thread(() -> {
				try {
					body.forEach(this.lines::add);
				}
				catch (UncheckedIOException ex) {
					// Closed by the test.
				}
				this.ended.countDown();
			}, "sse-lines");
			reader.setDaemon(true);
			reader.start();
		}

		@Override
		public void close() {
			this.body.close();
		}

	}

}
