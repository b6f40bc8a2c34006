package io.notifylisten.internal.history;

import java.time.Duration;
import java.util.Map;

import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that comes back after a drop gets what it missed, in order, or is told to
 * reload.
 */
@OrdersServerTest({ "notify-listen.key=recovery", "notify-listen.history.size=5" })
class RecoveryIntegrationTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Test
	void everyMessageCarriesItsChannelSequenceAndEpoch() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/61/shipped");
			Thread.sleep(200);
			this.notifier.notify("Order", 61, "shipped");
			this.notifier.notify("Order", 61, "shipped");

			JsonNode first = alice.nextMessage(ONE_SECOND);
			JsonNode second = alice.nextMessage(ONE_SECOND);
			assertThat(second.get("sequence").asLong()).isEqualTo(first.get("sequence").asLong() + 1);
			assertThat(second.get("epoch").asString()).isEqualTo(first.get("epoch").asString()).isNotBlank();
		}
	}

	@Test
	void returningClientGetsWhatItMissedThenLiveMessages() throws Exception {
		String epoch;
		long last;
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/60/shipped");
			Thread.sleep(200);
			this.notifier.notify("Order", 60, "shipped", Map.of("n", 1));
			JsonNode received = alice.nextMessage(ONE_SECOND);
			epoch = received.get("epoch").asString();
			last = received.get("sequence").asLong();
		}
		this.notifier.notify("Order", 60, "shipped", Map.of("n", 2));
		this.notifier.notify("Order", 60, "shipped", Map.of("n", 3));

		try (ListenerClient back = ListenerClient.as(this.port, ALICE).connect()) {
			back.listenSince("Order/60/shipped", epoch, last);
			JsonNode recovery = back.nextMessage(ONE_SECOND);
			assertThat(recovery.get("recovered").asBoolean()).isTrue();
			assertThat(recovery.get("messages")).hasSize(2);
			assertThat(recovery.get("messages").get(0).get("sequence").asLong()).isEqualTo(last + 1);
			assertThat(recovery.get("messages").get(0).get("payload").get("n").asInt()).isEqualTo(2);
			assertThat(recovery.get("messages").get(1).get("payload").get("n").asInt()).isEqualTo(3);

			this.notifier.notify("Order", 60, "shipped", Map.of("n", 4));
			JsonNode live = back.nextMessage(ONE_SECOND);
			assertThat(live.get("sequence").asLong()).isEqualTo(last + 3);
		}
	}

	@Test
	void pageListeningFromThePositionOfItsDataGetsAChangeNotifiedBeforeItSubscribed() throws Exception {
		ListenPosition position = this.notifier.positionOf("Order", 64);
		this.notifier.notify("Order", 64, "shipped", Map.of("n", 1));
		this.notifier.notify("Order", 65, "shipped", Map.of("n", 9));

		try (ListenerClient page = ListenerClient.as(this.port, ALICE).connect()) {
			ListenPosition parsed = ListenPosition.parse(position.toString());
			page.listenSince("Order/64/shipped", parsed.epoch(), parsed.sequence());
			JsonNode recovery = page.nextMessage(ONE_SECOND);
			assertThat(recovery.get("recovered").asBoolean()).isTrue();
			assertThat(recovery.get("messages")).singleElement()
				.satisfies((missed) -> assertThat(missed.get("payload").get("n").asInt()).isEqualTo(1));

			this.notifier.notify("Order", 64, "shipped", Map.of("n", 2));
			assertThat(page.nextMessage(ONE_SECOND).get("payload").get("n").asInt()).isEqualTo(2);
		}
	}

	@Test
	void clientThatMissedMoreThanWasKeptIsToldToReload() throws Exception {
		String epoch;
		long last;
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/62/shipped");
			Thread.sleep(200);
			this.notifier.notify("Order", 62, "shipped");
			JsonNode received = alice.nextMessage(ONE_SECOND);
			epoch = received.get("epoch").asString();
			last = received.get("sequence").asLong();
		}
		for (int i = 0; i < 6; i++) {
			this.notifier.notify("Order", 62, "shipped");
		}
		try (ListenerClient back = ListenerClient.as(this.port, ALICE).connect()) {
			back.listenSince("Order/62/shipped", epoch, last);
			JsonNode recovery = back.nextMessage(ONE_SECOND);
			assertThat(recovery.get("recovered").asBoolean()).isFalse();
			assertThat(recovery.get("messages")).isEmpty();
		}
	}

	@Test
	void clientFromAnotherEpochIsToldToReload() throws Exception {
		this.notifier.notify("Order", 63, "shipped");
		try (ListenerClient back = ListenerClient.as(this.port, ALICE).connect()) {
			back.listenSince("Order/63/shipped", "before-a-restart", 1);
			JsonNode recovery = back.nextMessage(ONE_SECOND);
			assertThat(recovery.get("recovered").asBoolean()).isFalse();
		}
	}

}
