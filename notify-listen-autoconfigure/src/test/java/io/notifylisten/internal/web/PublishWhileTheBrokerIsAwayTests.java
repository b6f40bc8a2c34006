package io.notifylisten.internal.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publish endpoint of a node whose RabbitMQ is unreachable (nothing answers on port
 * 1): it accepts into the outbox while there is room, then answers 503 with Retry-After,
 * so that the other service sends the notification again instead of believing it sent.
 */
@OrdersServerTest({ "notify-listen.key=publish-away", "notify-listen.publish.enabled=true",
		"notify-listen.stream.host=127.0.0.1", "notify-listen.stream.port=1",
		"notify-listen.stream.outbox.max-size=1" })
class PublishWhileTheBrokerIsAwayTests {

	@LocalServerPort
	int port;

	@Test
	void acceptsWhileTheOutboxHasRoomThenAnswersServiceUnavailableWithRetryAfter() throws Exception {
		HttpResponse<String> held = publish("{\"entity\":\"Order\",\"id\":\"1\",\"action\":\"shipped\"}");
		HttpResponse<String> refused = publish("{\"entity\":\"Order\",\"id\":\"2\",\"action\":\"shipped\"}");

		assertThat(held.statusCode()).isEqualTo(200);
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
		assertThat(refused.body()).startsWith("{\"error\":\"Notification Order/2/shipped was not sent: ")
			.contains("notify-listen.stream.outbox.max-size");
	}

	private HttpResponse<String> publish(String body) throws Exception {
		String timestamp = SignedPublishRequests.now();
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/rest/pusher/notify"))
			.header("Content-Type", "application/json")
			.header("X-Notify-Timestamp", timestamp)
			.header("X-Notify-Signature", SignedPublishRequests.sign(body, timestamp))
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
	}

}
