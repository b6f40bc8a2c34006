package io.notifylisten.internal.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.notifylisten.internal.transport.ChannelFanOut;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.OrdersTestApplication;
import io.notifylisten.testapp.OrdersTestApplication.RevokedOrders;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters move when a real listener connects, subscribes and receives over a real
 * WebSocket.
 */
@OrdersServerTest("notify-listen.key=metrics-test")
class NotifyListenMetricsIntegrationTests {

	private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	MeterRegistry registry;

	@Autowired
	RevokedOrders revokedOrders;

	@Autowired
	ChannelFanOut fanOut;

	@Test
	void countsConnectionsSubscriptionsNotificationsDeliveriesAndLatency() throws Exception {
		awaitNoConnections();
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/21/shipped");
			await().atMost(FIVE_SECONDS).untilAsserted(() -> {
				assertThat(gauge(NotifyListenMetrics.CONNECTIONS)).isEqualTo(1);
				assertThat(gauge(NotifyListenMetrics.SUBSCRIPTIONS)).isEqualTo(1);
			});
			Thread.sleep(200);
			double notified = counter(NotifyListenMetrics.NOTIFIED);
			double delivered = counter(NotifyListenMetrics.DELIVERED);
			double dropped = dropped();
			long timed = latency().count();
			this.notifier.notify("Order", 21, "shipped", Map.of("carrier", "DHL"));

			assertThat(alice.nextMessage(FIVE_SECONDS)).isNotNull();
			await().atMost(FIVE_SECONDS).untilAsserted(() -> {
				assertThat(counter(NotifyListenMetrics.NOTIFIED)).isEqualTo(notified + 1);
				assertThat(counter(NotifyListenMetrics.DELIVERED)).isEqualTo(delivered + 1);
				assertThat(latency().count()).isEqualTo(timed + 1);
			});
			assertThat(dropped()).isEqualTo(dropped);
			assertThat(latency().max(TimeUnit.MILLISECONDS)).isBetween(0.0, 5000.0);
		}
		await().atMost(FIVE_SECONDS).untilAsserted(() -> {
			assertThat(gauge(NotifyListenMetrics.CONNECTIONS)).isZero();
			assertThat(gauge(NotifyListenMetrics.SUBSCRIPTIONS)).isZero();
		});
	}

	@Test
	void countsAMessageThatAHandlerRewroteAsDeliveredWithItsLatency() throws Exception {
		awaitNoConnections();
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/22/refresh");
			Thread.sleep(200);
			double delivered = counter(NotifyListenMetrics.DELIVERED);
			long timed = latency().count();
			// A @NotifyListen channel goes through Spring's broker, one message per
			// connection.
			this.notifier.notify("Order", 22, "refresh", Map.of("status", "PAID"));

			JsonNode message = alice.nextMessage(FIVE_SECONDS);
			assertThat(message).isNotNull();
			assertThat(message.has("result")).as("the handler's result").isTrue();
			await().atMost(FIVE_SECONDS).untilAsserted(() -> {
				assertThat(counter(NotifyListenMetrics.DELIVERED)).isEqualTo(delivered + 1);
				assertThat(latency().count()).isEqualTo(timed + 1);
			});
		}
	}

	@Test
	void countsAUserMessageRefusedOnDeliveryAsDropped() throws Exception {
		awaitNoConnections();
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.subscribe("/user/topic/metrics-test.notify", null);
			Thread.sleep(200);
			double dropped = dropped();
			double delivered = counter(NotifyListenMetrics.DELIVERED);
			// A user message is checked on delivery, and bob may not read the secret
			// order.
			this.notifier.notifyUser(BOB, "Order", OrdersTestApplication.SECRET_ORDER, "refresh", Map.of());

			await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(dropped()).isEqualTo(dropped + 1));
			assertThat(counter(NotifyListenMetrics.DELIVERED)).isEqualTo(delivered);
			assertThat(bob.nextMessage(Duration.ofMillis(300))).isNull();
		}
	}

	@Test
	void countsAChannelMessageRefusedOnDeliveryAsDropped() throws Exception {
		assertThat(this.fanOut.isStarted()).as("channel notifications fanned out directly").isTrue();
		awaitNoConnections();
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/23/shipped");
			Thread.sleep(200);
			double dropped = dropped();
			double delivered = counter(NotifyListenMetrics.DELIVERED);
			// Checked again on delivery: alice lost access after she subscribed.
			this.revokedOrders.revoke(ALICE, 23);
			this.notifier.notify("Order", 23, "shipped");

			await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(dropped()).isEqualTo(dropped + 1));
			assertThat(counter(NotifyListenMetrics.DELIVERED)).isEqualTo(delivered);
			assertThat(alice.nextMessage(Duration.ofMillis(300))).isNull();
		}
	}

	// A connection closed by the previous test may take a moment to leave the registry.
	private void awaitNoConnections() {
		await().atMost(FIVE_SECONDS).untilAsserted(() -> assertThat(gauge(NotifyListenMetrics.CONNECTIONS)).isZero());
	}

	private Timer latency() {
		return this.registry.get(NotifyListenMetrics.DELIVERY_LATENCY).timer();
	}

	private double gauge(String name) {
		return this.registry.get(name).gauge().value();
	}

	private double dropped() {
		return this.registry.get(NotifyListenMetrics.DROPPED).tag("reason", "denied").counter().count();
	}

	private double counter(String name) {
		return this.registry.get(name).counter().count();
	}

}
