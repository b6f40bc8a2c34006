package io.notifylisten.presence;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code notify-listen.presence.enabled=false} there is no presence: the settings
 * name no presence destination, no presence is signed, and a page that subscribes to one
 * anyway is told so and cut off, instead of waiting for members that never come.
 */
@OrdersServerTest({ "notify-listen.key=presence-off", "notify-listen.presence.enabled=false" })
class PresenceSwitchedOffTests {

	private static final Duration SECONDS = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	ObjectProvider<Presence> presence;

	@Test
	void theSettingsNameNoPresenceDestination() throws Exception {
		JsonNode settings = ListenerClient.as(this.port, ALICE).settings();

		assertThat(settings.get("presenceDestinationFormat").isNull()).isTrue();
		assertThat(settings.get("destinationFormat").asString())
			.isEqualTo("/topic/presence-off.{entity}.{id}.{action}");
	}

	@Test
	void noPresenceIsSigned() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			HttpResponse<String> response = alice.authorize(alice.connectionId(), "presence-Order/31");

			assertThat(response.statusCode()).isEqualTo(403);
			assertThat(response.body()).isEqualTo("{\"error\":\"Presence is off\"}");
		}
	}

	@Test
	void aPresenceSubscriptionIsRefused() throws Exception {
		assertThat(this.presence.getIfAvailable()).isNull();
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.subscribe("/topic/presence-off.presence.Order.31.members", null);
			assertThat(alice.nextError(SECONDS)).isEqualTo("Presence is off");
			assertThat(alice.awaitClosed(SECONDS)).isTrue();
		}
	}

}
