package io.notifylisten.presence;

import java.time.Duration;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.simp.stomp.StompSession;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence within limits: beyond {@code max-members} pages see a count only, and presence
 * subscriptions count toward a connection's subscription limit.
 */
@OrdersServerTest({ "notify-listen.key=presence-limits", "notify-listen.presence.max-members=1",
		"notify-listen.limits.max-subscriptions-per-connection=2" })
class PresenceLimitsIntegrationTests {

	private static final Duration SECONDS = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Test
	void beyondMaxMembersPagesSeeTheCountOnlyAndTheMembersAgainOnceBelow() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.present("Order", "21");
			alice.nextPresence("here", SECONDS);
			StompSession.Subscription bobs = bob.present("Order", "21");

			JsonNode here = bob.nextPresence("here", SECONDS);
			assertThat(here.get("count").asInt()).isEqualTo(2);
			assertThat(here.get("truncated").asBoolean()).isTrue();
			assertThat(here.has("members")).isFalse();
			JsonNode crowded = alice.nextPresence("change", SECONDS);
			while (crowded.get("count").asInt() < 2) {
				crowded = alice.nextPresence("change", SECONDS);
			}
			assertThat(crowded.get("truncated").asBoolean()).isTrue();
			assertThat(crowded.has("joining")).as("nobody's details beyond the limit").isFalse();

			bobs.unsubscribe();
			JsonNode below = alice.nextPresence("change", SECONDS);
			assertThat(below.get("count").asInt()).isEqualTo(1);
			assertThat(below.get("members").valueStream().map((member) -> member.get("id").asString()).toList())
				.containsExactly(ALICE);
		}
	}

	@Test
	void presenceSubscriptionsCountTowardTheSubscriptionLimit() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.present("Order", "22");
			alice.listen("Order/22/refresh");
			alice.present("Order", "23");
			assertThat(alice.nextError(SECONDS)).isEqualTo("Too many subscriptions");
			assertThat(alice.awaitClosed(SECONDS)).isTrue();
		}
	}

}
