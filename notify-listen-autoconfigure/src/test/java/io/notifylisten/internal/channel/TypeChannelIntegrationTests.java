package io.notifylisten.internal.channel;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrderService;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.OrdersTestApplication.RevokedOrders;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static io.notifylisten.testapp.OrdersTestApplication.CAROL;
import static io.notifylisten.testapp.OrdersTestApplication.SECRET_ORDER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page that listens to an action on every object of an entity
 * (<code>Order/&#42;/shipped</code>) gets the notifications of the objects its user may
 * read, each checked at delivery as an object's listener's are, over a real WebSocket
 * against the real application with real Spring Security: on the direct fan-out
 * ({@code shipped}) and on Spring's broker path ({@code refresh}, which has a
 * {@code @NotifyListen} handler).
 */
@OrdersServerTest("notify-listen.key=type-channels")
class TypeChannelIntegrationTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private static final Duration REFUSAL = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	OrderService orders;

	@Autowired
	RevokedOrders revoked;

	@Test
	void typeListenerGetsEveryOrderItMayReadAndNoOther() throws Exception {
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.listen("Order/*/shipped");
			awaitSubscribed();
			this.notifier.notify("Order", 401, "shipped", Map.of());
			this.notifier.notify("Order", SECRET_ORDER, "shipped", Map.of());
			this.notifier.notify("Order", 402, "cancelled", Map.of());
			this.notifier.notify("Order", 403, "shipped", Map.of());

			assertThat(ids(bob, 2)).containsExactly("401", "403");
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void revokedReadAccessStopsThatOrderAtTheNextDelivery() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/*/shipped");
			awaitSubscribed();
			this.notifier.notify("Order", 411, "shipped", Map.of());
			assertThat(ids(alice, 1)).containsExactly("411");

			this.revoked.revoke(ALICE, 411);
			this.notifier.notify("Order", 411, "shipped", Map.of());
			this.notifier.notify("Order", 412, "shipped", Map.of());
			assertThat(ids(alice, 1)).containsExactly("412");
			assertThat(alice.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void objectListenerStillHearsOnlyItsObject() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.listen("Order/421/shipped");
			bob.listen("Order/*/shipped");
			awaitSubscribed();
			this.notifier.notify("Order", 422, "shipped", Map.of());
			this.notifier.notify("Order", 421, "shipped", Map.of());

			assertThat(ids(alice, 1)).containsExactly("421");
			assertThat(alice.nextMessage(QUIET)).isNull();
			assertThat(ids(bob, 2)).containsExactly("422", "421");
		}
	}

	@Test
	void bothSubscriptionsOfOneConnectionGetTheirCopy() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/431/shipped");
			alice.listen("Order/*/shipped");
			awaitSubscribed();
			this.notifier.notify("Order", 431, "shipped", Map.of());

			assertThat(ids(alice, 2)).containsExactly("431", "431");
			assertThat(alice.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void handlerRunsForTheTypeListenerAsItsUser() throws Exception {
		this.orders.save(441, "new");
		this.orders.save(SECRET_ORDER, "new");
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.listen("Order/*/refresh");
			awaitSubscribed();
			this.orders.save(SECRET_ORDER, "paid");
			this.orders.save(441, "paid");

			JsonNode message = bob.nextMessage(ONE_SECOND);
			assertThat(message).isNotNull();
			assertThat(message.get("id").asString()).isEqualTo("441");
			assertThat(message.get("result").get("principal").asString()).isEqualTo(BOB);
			assertThat(message.get("result").get("loadedStatus").asString()).isEqualTo("paid");
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void askedForWhatItMissedATypeSaysItCannotRecoverThenDelivers() throws Exception {
		this.notifier.notify("Order", 461, "shipped", Map.of());
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.listenSince("Order/*/shipped", "any-epoch", 1);
			JsonNode recovery = bob.nextMessage(ONE_SECOND);
			assertThat(recovery).isNotNull();
			assertThat(recovery.get("recovered").asBoolean()).isFalse();
			this.notifier.notify("Order", 462, "shipped", Map.of());
			assertThat(ids(bob, 1)).containsExactly("462");
		}
	}

	@Test
	void userWithoutTheListenRoleIsRefused() throws Exception {
		try (ListenerClient carol = ListenerClient.as(this.port, CAROL).connect()) {
			HttpResponse<String> signing = carol.authorize(carol.connectionId(), "Order/*/shipped");
			assertThat(signing.statusCode()).isEqualTo(403);
			assertThat(signing.body()).contains("Listen role required");

			carol.subscribe(carol.destination("Order/*/shipped"), null);
			assertThat(carol.nextError(REFUSAL)).isEqualTo("Listen role required");
			assertThat(carol.awaitClosed(REFUSAL)).isTrue();
		}
	}

	@Test
	void aSignatureIsForTheTypeOrForOneObjectNeverBoth() throws Exception {
		String[][] signedThenSubscribed = { { "Order/*/shipped", "Order/451/shipped" },
				{ "Order/451/shipped", "Order/*/shipped" } };
		for (String[] pair : signedThenSubscribed) {
			try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
				bob.subscribe(bob.destination(pair[1]), bob.signature(pair[0]));
				assertThat(bob.nextError(REFUSAL)).as(pair[0]).isEqualTo("Invalid subscription signature");
				assertThat(bob.awaitClosed(REFUSAL)).isTrue();
			}
		}
	}

	private static List<String> ids(ListenerClient client, int count) throws InterruptedException {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			JsonNode message = client.nextMessage(ONE_SECOND);
			if (message == null) {
				break;
			}
			ids.add(message.get("id").asString());
		}
		return ids;
	}

	private static void awaitSubscribed() throws InterruptedException {
		Thread.sleep(200);
	}

}
