package io.notifylisten.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrderService;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static io.notifylisten.testapp.OrdersTestApplication.CAROL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Notify on the server reaches authorized listeners, and nobody else, over a real
 * WebSocket with Spring's STOMP client against the real application with real Spring
 * Security.
 */
@OrdersServerTest("notify-listen.key=orders-test")
class NotifyListenIntegrationTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	/**
	 * How long a refused client may wait for its ERROR frame and close on a loaded 2-core
	 * box.
	 */
	private static final Duration REFUSAL = Duration.ofSeconds(5);

	/** How long a denied client is watched for a message it must not get. */

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	OrderService orders;

	@Test
	void allowedListenerReceivesNotificationWithinOneSecond() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/7/shipped");
			awaitSubscribed();
			Instant before = Instant.now();
			this.notifier.notify("Order", 7, "shipped", Map.of("carrier", "DHL"));

			JsonNode message = alice.nextMessage(ONE_SECOND);
			assertThat(message).isNotNull();
			assertThat(message.get("entity").asString()).isEqualTo("Order");
			assertThat(message.get("id").asString()).isEqualTo("7");
			assertThat(message.get("action").asString()).isEqualTo("shipped");
			assertThat(message.get("notifiedBy").asString()).isEqualTo("system");
			assertThat(Instant.parse(message.get("changedAt").asString())).isBetween(before.minusSeconds(1),
					Instant.now());
			assertThat(message.get("payload").get("carrier").asString()).isEqualTo("DHL");
			assertThat(message.has("result")).isFalse();
		}
	}

	@Test
	void twoUsersOnOneChannelBothReceive() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.listen("Order/8/shipped");
			bob.listen("Order/8/shipped");
			awaitSubscribed();
			this.notifier.notify("Order", 8, "shipped");

			assertThat(alice.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(bob.nextMessage(ONE_SECOND)).isNotNull();
		}
	}

	// Without notify-listen.allowed-origins, a page elsewhere may not read the settings
	// (and with them the user's CSRF token): it may read only why it is refused.
	@Test
	void settingsAreRefusedToAnotherOriginUnlessItIsAllowed() throws Exception {
		HttpResponse<String> settings = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/rest/pusher/key"))
				.header("Origin", "https://spa.example")
				.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(settings.statusCode()).isEqualTo(403);
		assertThat(settings.body()).isEqualTo("Origin not allowed");
		assertThat(settings.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://spa.example");
		assertThat(settings.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
	}

	@Test
	void listenerOfAnotherChannelReceivesNothing() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.listen("Order/9/shipped");
			bob.listen("Order/10/shipped");
			awaitSubscribed();
			this.notifier.notify("Order", 9, "shipped");

			assertThat(alice.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	// Progress updates and "saved, then deleted" must not arrive the other way round; a
	// burst is also where several frames leave for a connection in one WebSocket message.
	@Test
	void aBurstArrivesWholeAndInOrderAtEveryListener() throws Exception {
		int burst = 300;
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.listen("Order/13/progress");
			bob.listen("Order/13/progress");
			awaitSubscribed();
			for (int sequence = 1; sequence <= burst; sequence++) {
				this.notifier.notify("Order", 13, "progress", Map.of("sequence", sequence));
			}
			for (ListenerClient client : new ListenerClient[] { alice, bob }) {
				List<Integer> received = new ArrayList<>();
				for (int i = 0; i < burst; i++) {
					JsonNode message = client.nextMessage(ONE_SECOND);
					assertThat(message).as("message %d of %d", i + 1, burst).isNotNull();
					received.add(message.get("payload").get("sequence").asInt());
				}
				assertThat(received).containsExactlyElementsOf(IntStream.rangeClosed(1, burst).boxed().toList());
			}
		}
	}

	@Test
	void handlerRunsAsEachListeningUserAndReloadsCommittedData() throws Exception {
		this.orders.save(20, "new");
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.listen("Order/20/refresh");
			bob.listen("Order/20/refresh");
			awaitSubscribed();
			this.orders.save(20, "paid");

			JsonNode toAlice = alice.nextMessage(ONE_SECOND);
			JsonNode toBob = bob.nextMessage(ONE_SECOND);
			assertThat(toAlice).isNotNull();
			assertThat(toBob).isNotNull();
			assertThat(toAlice.get("result").get("principal").asString()).isEqualTo(ALICE);
			assertThat(toAlice.get("result").get("securityContextUser").asString()).isEqualTo(ALICE);
			assertThat(toBob.get("result").get("principal").asString()).isEqualTo(BOB);
			assertThat(toBob.get("result").get("securityContextUser").asString()).isEqualTo(BOB);
			assertThat(toAlice.get("result").get("loadedStatus").asString()).isEqualTo("paid");
			assertThat(toAlice.get("result").get("notifiedStatus").asString()).isEqualTo("paid");
			assertThat(toAlice.get("result").get("id").asLong()).isEqualTo(20);
			assertThat(toAlice.get("action").asString()).isEqualTo("refresh");
		}
	}

	@Test
	void rollbackSendsNothingAndCommitSends() throws Exception {
		this.orders.save(21, "new");
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/21/refresh");
			awaitSubscribed();
			assertThatThrownBy(() -> this.orders.saveThenFail(21, "rolled-back"))
				.isInstanceOf(IllegalStateException.class);
			this.orders.save(21, "committed");

			JsonNode first = alice.nextMessage(ONE_SECOND);
			assertThat(first).isNotNull();
			assertThat(first.get("payload").get("status").asString()).isEqualTo("committed");
			assertThat(alice.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void notifyFromATransactionalEventListenerReachesListenersOnlyAfterCommit() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/22/shipped");
			awaitSubscribed();
			assertThatThrownBy(() -> this.orders.shipThenFail(22)).isInstanceOf(IllegalStateException.class);
			assertThat(alice.nextMessage(QUIET)).as("nothing from the rolled-back shipment").isNull();

			this.orders.ship(22);

			assertThat(alice.nextMessage(ONE_SECOND)).as("the committed shipment").isNotNull();
			assertThat(alice.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void messageForAUserReachesEachOfTheirConnectionsAndNobodyElse() throws Exception {
		try (ListenerClient aliceTab1 = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient aliceTab2 = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			for (ListenerClient client : new ListenerClient[] { aliceTab1, aliceTab2, bob }) {
				client.subscribe("/user/topic/orders-test.notify", null);
			}
			awaitSubscribed();
			this.notifier.notifyUser(ALICE, "Order", 11, "assigned", Map.of("by", "dispatch"));

			assertThat(aliceTab1.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(aliceTab2.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void messageForAUserAboutAnEntityTheyMayNotReadIsDroppedAndLaterOnesStillArrive() throws Exception {
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.subscribe("/user/topic/orders-test.notify", null);
			awaitSubscribed();
			this.notifier.notifyUser(BOB, "Order", OrdersTestApplication.SECRET_ORDER, "assigned", Map.of());
			this.notifier.notifyUser(BOB, "Order", 12, "assigned", Map.of());

			JsonNode message = bob.nextMessage(ONE_SECOND);
			assertThat(message).isNotNull();
			assertThat(message.get("id").asString()).isEqualTo("12");
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void userTopicOfAnotherUserCannotBeSubscribedDirectly() throws Exception {
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.subscribe("/topic/orders-test.u.0123456789abcdef0123456789abcdef", null);
			assertThat(bob.nextError(REFUSAL))
				.isEqualTo("Destination must be /topic/orders-test.{entity}.{id}.{action}");
			assertThat(bob.awaitClosed(REFUSAL)).isTrue();
		}
	}

	@Test
	void anonymousConnectGetsErrorAndClose() throws Exception {
		try (ListenerClient anonymous = ListenerClient.anonymous(this.port).connect()) {
			assertThat(anonymous.nextError(REFUSAL)).isEqualTo("Login required");
			assertThat(anonymous.awaitClosed(REFUSAL)).isTrue();
			assertThat(anonymous.isConnected()).isFalse();
		}
	}

	@Test
	void connectWithoutCsrfTokenGetsErrorAndClose() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE)) {
			alice.settings();
			alice.connect(null);
			assertThat(alice.nextError(REFUSAL)).isEqualTo("Invalid or missing CSRF token");
			assertThat(alice.awaitClosed(REFUSAL)).isTrue();
		}
	}

	@Test
	void connectWithInvalidCsrfTokenGetsErrorAndClose() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE)) {
			alice.settings();
			alice.connect("not-the-token");
			assertThat(alice.nextError(REFUSAL)).isEqualTo("Invalid or missing CSRF token");
			assertThat(alice.awaitClosed(REFUSAL)).isTrue();
		}
	}

	@Test
	void userWithoutListenRoleIsRefusedBothByAuthAndBySubscribe() throws Exception {
		try (ListenerClient carol = ListenerClient.as(this.port, CAROL).connect()) {
			assertThat(carol.isConnected()).isTrue();
			HttpResponse<String> auth = carol.authorize(carol.connectionId(), "Order/1/shipped");
			assertThat(auth.statusCode()).isEqualTo(403);
			assertThat(auth.body()).isEqualTo("{\"error\":\"Listen role required\"}");

			carol.subscribe(carol.destination("Order/1/shipped"), null);
			assertRefused(carol, "Listen role required", "Order", 1);
		}
	}

	@Test
	void userWithoutEntityAccessIsRefusedBothByAuthAndBySubscribe() throws Exception {
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			HttpResponse<String> auth = bob.authorize(bob.connectionId(), "Order/3/shipped");
			assertThat(auth.statusCode()).isEqualTo(403);
			assertThat(auth.body()).contains("Not allowed to read Order 3");

			bob.subscribe(bob.destination("Order/3/shipped"), null);
			assertRefused(bob, "Not allowed to read Order 3", "Order", 3);
		}
	}

	@Test
	void signatureForAnotherChannelIsRefused() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			String forOrder1 = alice.signature("Order/1/shipped");
			alice.subscribe(alice.destination("Order/2/shipped"), forOrder1);
			assertRefused(alice, "Invalid subscription signature", "Order", 2);
		}
	}

	@Test
	void signatureForAnotherConnectionIsRefused() throws Exception {
		try (ListenerClient first = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient second = ListenerClient.as(this.port, ALICE).connect()) {
			String forFirst = first.signature("Order/4/shipped");
			second.subscribe(second.destination("Order/4/shipped"), forFirst);
			assertRefused(second, "Invalid subscription signature", "Order", 4);
			assertThat(first.isConnected()).as("the other connection is unaffected").isTrue();
		}
	}

	@Test
	void subscribeWithoutSignatureIsRefusedWhenSignaturesAreRequired() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.subscribe(alice.destination("Order/5/shipped"), null);
			assertRefused(alice, "Invalid subscription signature", "Order", 5);
		}
	}

	// Order.*.shipped is a type channel, with a signature of its own
	// (TypeChannelIntegrationTests); nothing else with a wildcard is a destination.
	@Test
	void wildcardDestinationIsRefused() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.subscribe("/topic/orders-test.Order.4*.shipped", null);
			assertThat(alice.nextError(REFUSAL)).isEqualTo("Channel id must be letters, digits, '_' or '-'");
			assertThat(alice.awaitClosed(REFUSAL)).isTrue();
		}
	}

	@Test
	void destinationOfAnotherKeyIsRefused() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.subscribe("/topic/other-app.Order.1.shipped", null);
			assertThat(alice.nextError(REFUSAL)).isEqualTo("Destination must start with /topic/orders-test.");
			assertThat(alice.awaitClosed(REFUSAL)).isTrue();
		}
	}

	@Test
	void clientSendToNotificationDestinationIsRefused() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.listen("Order/6/shipped");
			awaitSubscribed();
			alice.send(alice.destination("Order/6/shipped"), Map.of("entity", "Order", "id", "6", "action", "shipped"));

			assertThat(alice.nextError(REFUSAL)).isEqualTo("Clients may not send messages");
			assertThat(alice.awaitClosed(REFUSAL)).isTrue();
			assertThat(bob.nextMessage(QUIET)).as("forged message must not be delivered").isNull();
		}
	}

	@Test
	void keyEndpointPublishesSettingsButNeverTheSecret() throws Exception {
		try (ListenerClient anonymous = ListenerClient.anonymous(this.port)) {
			JsonNode settings = anonymous.settings();
			assertThat(settings.get("key").asString()).isEqualTo("orders-test");
			assertThat(settings.get("endpoint").asString()).isEqualTo("/notify-listen/ws");
			assertThat(settings.get("destinationFormat").asString())
				.isEqualTo("/topic/orders-test.{entity}.{id}.{action}");
			assertThat(settings.get("heartbeatOutgoing").asLong()).isEqualTo(10_000);
			assertThat(settings.toString()).doesNotContain("0123456789abcdef0123456789abcdef");
		}
	}

	private void assertRefused(ListenerClient client, String reason, String entity, long id) throws Exception {
		assertThat(client.nextError(REFUSAL)).isEqualTo(reason);
		assertThat(client.awaitClosed(REFUSAL)).isTrue();
		this.notifier.notify(entity, id, "shipped");
		assertThat(client.nextMessage(QUIET)).isNull();
	}

	/**
	 * SUBSCRIBE has no acknowledgement on the simple broker; give the server a moment to
	 * register it, as a browser would by the time a user acts.
	 */
	private static void awaitSubscribed() throws InterruptedException {
		Thread.sleep(200);
	}

}
