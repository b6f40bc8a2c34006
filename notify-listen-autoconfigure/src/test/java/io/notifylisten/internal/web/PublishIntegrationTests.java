package io.notifylisten.internal.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.internal.web.SignedPublishRequests.now;
import static io.notifylisten.internal.web.SignedPublishRequests.sign;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service in another language notifies through {@code POST /rest/pusher/notify}, signed
 * with the secret; anything unsigned, altered, stale or replayed gets a 401 and notifies
 * nobody.
 */
@OrdersServerTest({ "notify-listen.key=publish", "notify-listen.publish.enabled=true" })
@ExtendWith(OutputCaptureExtension.class)
class PublishIntegrationTests {

	static final String SECRET = SignedPublishRequests.SECRET;

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

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

	// Beyond what an Instant holds (about 3 x 10^16 s): a refusal, not a
	// DateTimeException and a 500.
	@Test
	void aTimestampBeyondAnyClockIsRefused() throws Exception {
		String body = "{\"entity\":\"Order\",\"id\":\"93\",\"action\":\"shipped\"}";
		String farAway = "100000000000000000";

		assertRefused(publish(body, farAway, sign(body, farAway)), "Invalid timestamp");
	}

	// Anyone can send these: nothing is read past the limit, nothing is logged at ERROR.
	// The 50 MB are written as the server takes them, never held, and stop once it has
	// answered.
	@Test
	void aHugeBodyIsRefusedWithoutBeingRead(CapturedOutput output) throws Exception {
		long huge = 50L * 1024 * 1024;
		String now = now();
		String signature = "0".repeat(64);
		long start = System.nanoTime();

		Streamed declared = postStreaming(now, signature, huge, false);
		Streamed chunked = postStreaming(now, signature, huge, true);
		Streamed unsigned = postStreaming(now, null, huge, true);
		Streamed stale = postStreaming("1", signature, huge, false);

		assertThat(declared.response()).startsWith("HTTP/1.1 413")
			.endsWith("{\"error\":\"Request body larger than 65536 bytes\"}");
		assertThat(chunked.response()).startsWith("HTTP/1.1 413");
		assertThat(unsigned.response()).startsWith("HTTP/1.1 401")
			.endsWith("{\"error\":\"Missing X-Notify-Timestamp or X-Notify-Signature\"}");
		assertThat(stale.response()).startsWith("HTTP/1.1 401")
			.endsWith("{\"error\":\"Timestamp outside the replay window\"}");
		for (Streamed streamed : List.of(declared, chunked, unsigned, stale)) {
			assertThat(streamed.sent()).as("bytes written before the answer").isLessThan(huge);
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
		assertThat(publish("{\"entity\":\"Order\",\"id\":\"94\",\"action\":\"shipped\"}", now(), null).statusCode())
			.as("the node still publishes")
			.isEqualTo(200);
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
		HttpResponse<String> response = this.http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/orders/1/ship"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(401);
	}

	/**
	 * POST {@code size} bytes of JSON-ish text, written in 64 KiB pieces while no answer
	 * has come, over a bare socket: HTTP clients wait for the whole body to be sent
	 * before reading an answer.
	 */
	private Streamed postStreaming(String timestamp, String signature, long size, boolean chunked) throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			CompletableFuture<String> response = CompletableFuture.supplyAsync(() -> readResponse(socket));
			StringBuilder head = new StringBuilder("POST /rest/pusher/notify HTTP/1.1\r\n").append("Host: 127.0.0.1:")
				.append(this.port)
				.append("\r\n")
				.append("Content-Type: application/json\r\n")
				.append("X-Notify-Timestamp: ")
				.append(timestamp)
				.append("\r\n");
			if (signature != null) {
				head.append("X-Notify-Signature: ").append(signature).append("\r\n");
			}
			head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + size + "\r\n");
			OutputStream out = socket.getOutputStream();
			out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
			byte[] piece = new byte[64 * 1024];
			Arrays.fill(piece, (byte) 'a');
			long sent = 0;
			try {
				while (sent < size && !response.isDone()) {
					if (chunked) {
						out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
					}
					out.write(piece);
					if (chunked) {
						out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
					}
					sent += piece.length;
				}
			}
			catch (IOException ex) {
				// The server answered and closed without reading the rest.
			}
			return new Streamed(response.get(10, TimeUnit.SECONDS), sent);
		}
	}

	// The status line, headers and a JSON body, up to the body's closing brace.
	private static String readResponse(Socket socket) {
		StringBuilder response = new StringBuilder();
		try {
			InputStream in = socket.getInputStream();
			int b;
			while ((b = in.read()) >= 0) {
				response.append((char) b);
				if (b == '}' && response.indexOf("\r\n\r\n") >= 0) {
					break;
				}
			}
		}
		catch (IOException ex) {
			response.append("<").append(ex.getMessage()).append(">");
		}
		return response.toString();
	}

	private record Streamed(String response, long sent) {

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

	private static void assertRefused(HttpResponse<String> response, String reason) {
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.body()).isEqualTo("{\"error\":\"" + reason + "\"}");
	}

}
