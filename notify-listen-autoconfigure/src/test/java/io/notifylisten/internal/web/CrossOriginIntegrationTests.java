package io.notifylisten.internal.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.RawStompSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A single-page app served from another origin that {@code allowed-origins} names fetches
 * the settings and a signature with its credentials, as a browser does it: a preflight,
 * then the request with an {@code Origin}. Any other origin is refused.
 */
@OrdersServerTest({ "notify-listen.key=cors", "notify-listen.allowed-origins=https://spa.example" })
@ExtendWith(OutputCaptureExtension.class)
class CrossOriginIntegrationTests {

	private static final String SPA = "https://spa.example";

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void aPageOnAnAllowedOriginReadsTheSettingsWithItsCredentials() throws Exception {
		HttpResponse<String> response = send(get(PusherController.KEY_PATH).header("Origin", SPA));

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SPA);
		assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
	}

	@Test
	void aPageOnAnAllowedOriginGetsASignatureAfterThePreflight() throws Exception {
		HttpResponse<String> preflight = send(request(PusherController.AUTH_PATH).header("Origin", SPA)
			.header("Access-Control-Request-Method", "POST")
			.header("Access-Control-Request-Headers", "content-type,x-csrf-token")
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SPA);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
			.hasValueSatisfying((methods) -> assertThat(methods).contains("POST"));

		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			JsonNode csrf = alice.settings().get("csrf");
			String form = "socket_id=" + alice.connectionId() + "&channel_name=Order/1/refresh";
			// The session cookie carries the session that holds the CSRF token; the test
			// application logs in with HTTP Basic, which a browser would send along with
			// the cookie.
			HttpResponse<String> signed = send(request(PusherController.AUTH_PATH).header("Origin", SPA)
				.header("Cookie", alice.cookieHeader())
				.header("Authorization", basic(ALICE))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.header(csrf.get("headerName").asString(), csrf.get("token").asString())
				.POST(HttpRequest.BodyPublishers.ofString(form)));

			assertThat(signed.statusCode()).isEqualTo(200);
			assertThat(signed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SPA);
			assertThat(JsonMapper.shared().readTree(signed.body()).get("auth").asString()).startsWith("cors:");
		}
	}

	@Test
	void aPageOnAnotherOriginIsRefused() throws Exception {
		HttpResponse<String> settings = send(get(PusherController.KEY_PATH).header("Origin", "https://evil.example"));
		HttpResponse<String> preflight = send(
				request(PusherController.AUTH_PATH).header("Origin", "https://evil.example")
					.header("Access-Control-Request-Method", "POST")
					.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

		assertThat(settings.statusCode()).isEqualTo(403);
		assertThat(settings.body()).isEqualTo("Origin not allowed");
		assertThat(preflight.statusCode()).isEqualTo(403);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
	}

	// The page may read the reason, and nothing with its credentials: no
	// Allow-Credentials, so a browser hands it only this answer, which holds nothing
	// else.
	@Test
	void aPageOnAnotherOriginCanReadWhyItIsRefused() throws Exception {
		HttpResponse<String> settings = send(get(PusherController.KEY_PATH).header("Origin", "https://evil.example")
			.header("Authorization", basic(ALICE)));

		assertThat(settings.statusCode()).isEqualTo(403);
		assertThat(settings.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://evil.example");
		assertThat(settings.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
		assertThat(settings.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/plain"));
		assertThat(settings.body()).isEqualTo("Origin not allowed");
	}

	// Otherwise the page's fetch fails without a status, and the client cannot tell a
	// refusal from a network failure.
	@Test
	void aRefusalOfTheApplicationsSecurityCarriesTheCorsHeadersOfAnAllowedOrigin() throws Exception {
		HttpResponse<String> stream = send(get(SseController.PATH + "/Order/1?events=refresh").header("Origin", SPA));
		HttpResponse<String> signature = send(request(PusherController.AUTH_PATH).header("Origin", SPA)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("socket_id=0&channel_name=Order/1/refresh")));

		assertThat(stream.statusCode()).isEqualTo(401);
		assertThat(stream.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SPA);
		assertThat(signature.statusCode()).isIn(401, 403);
		assertThat(signature.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SPA);
	}

	// EventSource sends Last-Event-ID when it reconnects, which makes its request need a
	// preflight.
	@Test
	void aPageOnAnAllowedOriginReconnectsTheEventStreamAfterThePreflight() throws Exception {
		HttpResponse<String> preflight = send(
				request(SseController.PATH + "/Order/1?events=refresh").header("Origin", SPA)
					.header("Access-Control-Request-Method", "GET")
					.header("Access-Control-Request-Headers", "last-event-id")
					.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(SPA);
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
		assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
			.hasValueSatisfying((headers) -> assertThat(headers.toLowerCase(Locale.ROOT)).contains("last-event-id"));
	}

	// Spring's own origin check throws on these ("Bad authority"), which would be a 500
	// with a trace.
	@Test
	void aMalformedOriginIsRefusedWithoutATrace(CapturedOutput output) throws Exception {
		ListenerClient http = ListenerClient.as(this.port, ALICE);
		http.settings();
		for (String origin : new String[] { "http://a:b", "http://spa.example:5173.evil.com" }) {
			try (RawStompSocket raw = RawStompSocket.open(this.port, "/notify-listen/ws", http,
					Map.of("Origin", origin))) {
				assertThat(raw.handshakeResponse).as(origin).startsWith("HTTP/1.1 403");
			}
			HttpResponse<String> settings = send(get(PusherController.KEY_PATH).header("Origin", origin));
			assertThat(settings.statusCode()).as(origin).isEqualTo(403);
			assertThat(settings.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		}
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	private HttpRequest.Builder get(String path) {
		return request(path).GET();
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String basic(String user) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":password").getBytes(StandardCharsets.UTF_8));
	}

}
