package io.notifylisten.internal.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service in another language notifies through {@code POST /rest/pusher/notify}, signed with the
 * secret; anything unsigned, altered, stale or replayed gets a 401 and notifies nobody.
 */
@OrdersServerTest({ "notify-listen.key=publish", "notify-listen.publish.enabled=true" })
class PublishIntegrationTests {

	static final String SECRET = "0123456789abcdef0123456789abcdef";

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private static final Duration QUIET = Duration.ofMillis(500);

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Test
	void signedRequestNotifiesListeners() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/90/shipped");
			Thread.sleep(200);
			String body = "{\"entity\":\"Order\",\"id\":\"90\",\"action\":\"shipped\",\"payload\":{\"carrier\":\"UPS\"}}";

			HttpResponse<String> response = publish(body, now(), null);

			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("{\"sent\":true}");
			JsonNode message = alice.nextMessage(ONE_SECOND);
			assertThat(message.get("payload").get("carrier").asString()).isEqualTo("UPS");
			assertThat(message.get("notifiedBy").asString()).isEqualTo("system");
		}
	}

	@Test
	void badTamperedStaleAndReplayedRequestsAreRefused() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/91/shipped");
			Thread.sleep(200);
			String body = "{\"entity\":\"Order\",\"id\":\"91\",\"action\":\"shipped\"}";
			String now = now();

			assertRefused(publish(body, now, "0".repeat(64)), "Invalid signature");
			assertRefused(publish(body.replace("91", "92"), now, sign(body, now)), "Invalid signature");
			String stale = String.valueOf(Instant.now().minusSeconds(600).getEpochSecond());
			assertRefused(publish(body, stale, sign(body, stale)), "Timestamp outside the replay window");
			assertRefused(send(HttpRequest.BodyPublishers.ofString(body), null, null),
					"Missing X-Notify-Timestamp or X-Notify-Signature");
			assertThat(alice.nextMessage(QUIET)).as("nothing was notified").isNull();

			String signature = sign(body, now);
			assertThat(publish(body, now, signature).statusCode()).isEqualTo(200);
			assertRefused(publish(body, now, signature), "Replayed request");
			assertThat(alice.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(alice.nextMessage(QUIET)).as("the replay notified nobody").isNull();
		}
	}

	@Test
	void invalidChannelIsABadRequest() throws Exception {
		String body = "{\"entity\":\"Order\",\"id\":\"*\",\"action\":\"shipped\"}";
		HttpResponse<String> response = publish(body, now(), null);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("Channel id must be");
	}

	@Test
	void everyOtherPathStaysBehindTheApplicationsSecurity() throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/orders/1/ship"))
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(401);
	}

	private HttpResponse<String> publish(String body, String timestamp, String signature) throws Exception {
		return send(HttpRequest.BodyPublishers.ofString(body), timestamp,
				(signature != null) ? signature : sign(body, timestamp));
	}

	private HttpResponse<String> send(HttpRequest.BodyPublisher body, String timestamp, String signature)
			throws Exception {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/rest/pusher/notify"))
			.header("Content-Type", "application/json")
			.POST(body);
		if (timestamp != null) {
			request.header("X-Notify-Timestamp", timestamp);
			request.header("X-Notify-Signature", signature);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	// Written out with javax.crypto, as another service would, rather than with the server's signer.
	static String sign(String body, String timestamp) throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		String signed = "POST\n/rest/pusher/notify\n" + timestamp + "\n" + body;
		return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
	}

	static String now() {
		return String.valueOf(Instant.now().getEpochSecond());
	}

	private static void assertRefused(HttpResponse<String> response, String reason) {
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.body()).isEqualTo("{\"error\":\"" + reason + "\"}");
	}

}
