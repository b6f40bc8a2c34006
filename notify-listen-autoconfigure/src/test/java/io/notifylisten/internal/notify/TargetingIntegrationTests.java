package io.notifylisten.internal.notify;

import java.time.Duration;
import java.util.Map;

import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static io.notifylisten.testapp.OrdersTestApplication.SECRET_ORDER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Broadcast, role and connection targeting, and skipping the page that caused a change:
 * nobody receives a message not addressed to them or about an entity they may not read.
 */
@OrdersServerTest("notify-listen.key=targeting")
class TargetingIntegrationTests {

	private static final String NOTICES = "/user/topic/targeting.notices";

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Test
	void broadcastReachesEveryListenerWhoMayReadTheEntity() throws Exception {
		try (ListenerClient alice = noticesOf(ALICE); ListenerClient bob = noticesOf(BOB)) {
			this.notifier.broadcast("Order", SECRET_ORDER, "recalled", Map.of("text", "Recall"));
			this.notifier.broadcast("Order", 1, "maintenance", Map.of("text", "Maintenance in 1 hour"));

			assertThat(alice.nextMessage(ONE_SECOND).get("action").asString()).isEqualTo("recalled");
			assertThat(alice.nextMessage(ONE_SECOND).get("action").asString()).isEqualTo("maintenance");
			JsonNode toBob = bob.nextMessage(ONE_SECOND);
			assertThat(toBob.get("action").asString()).as("bob may not read order 3").isEqualTo("maintenance");
			assertThat(toBob.get("payload").get("text").asString()).isEqualTo("Maintenance in 1 hour");
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void roleTargetReachesOnlyUsersWithTheRole() throws Exception {
		try (ListenerClient alice = noticesOf(ALICE); ListenerClient bob = noticesOf(BOB)) {
			this.notifier.notifyRole("ROLE_MANAGER", "Order", 1, "escalated", Map.of());

			assertThat(alice.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void connectionTargetReachesOnlyThatConnectionAndHidesTheTargeting() throws Exception {
		try (ListenerClient first = noticesOf(ALICE); ListenerClient second = noticesOf(ALICE)) {
			this.notifier.notifyConnection(first.connectionId(), "Order", 1, "import-done", Map.of());

			JsonNode message = first.nextMessage(ONE_SECOND);
			assertThat(message.get("action").asString()).isEqualTo("import-done");
			assertThat(second.nextMessage(QUIET)).isNull();
			assertThat(first.lastHeaders()).doesNotContainKeys("nl-connection", "nl-role", "nl-exclude");
		}
	}

	@Test
	void toOthersSkipsThePageThatSentTheRequest() throws Exception {
		try (ListenerClient origin = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient otherTab = ListenerClient.as(this.port, ALICE).connect()) {
			origin.listen("Order/80/shipped");
			otherTab.listen("Order/80/shipped");
			Thread.sleep(200);

			int status = origin.post("/orders/80/ship",
					Map.of(Notifier.ORIGIN_CONNECTION_HEADER, origin.connectionId()));
			assertThat(status).isEqualTo(200);

			JsonNode message = otherTab.nextMessage(ONE_SECOND);
			assertThat(message.get("payload").get("by").asString()).isEqualTo("http");
			assertThat(otherTab.lastHeaders()).doesNotContainKey("nl-exclude");
			assertThat(origin.nextMessage(QUIET)).isNull();

			origin.post("/orders/80/ship", Map.of());
			assertThat(origin.nextMessage(ONE_SECOND)).as("without the header nobody is skipped").isNotNull();
		}
	}

	@Test
	void noticeTopicCannotBeSubscribedDirectly() throws Exception {
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.subscribe("/topic/targeting.all", null);
			assertThat(bob.nextError(Duration.ofSeconds(5))).isNotNull();
			assertThat(bob.awaitClosed(Duration.ofSeconds(5))).isTrue();
		}
	}

	private ListenerClient noticesOf(String user) throws Exception {
		ListenerClient client = ListenerClient.as(this.port, user).connect();
		client.subscribe(NOTICES, null);
		Thread.sleep(200);
		return client;
	}

}
