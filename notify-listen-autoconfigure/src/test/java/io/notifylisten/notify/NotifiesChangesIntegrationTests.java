package io.notifylisten.notify;

import java.time.Duration;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrderLine;
import io.notifylisten.testapp.OrderLineRepository;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.ShopOrder;
import io.notifylisten.testapp.ShopOrderRepository;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.support.TransactionTemplate;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change to an entity marked {@link NotifiesChanges} reaches a page listening over a
 * real WebSocket, after commit: a saved {@link OrderLine} refreshes its order, whose
 * {@code @NotifyListen} handler then loads the committed order as the listening user.
 */
@OrdersServerTest("notify-listen.key=entity-changes-test")
class NotifiesChangesIntegrationTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	@LocalServerPort
	int port;

	@Autowired
	ShopOrderRepository orders;

	@Autowired
	OrderLineRepository lines;

	@Autowired
	TransactionTemplate transaction;

	@Test
	void aSavedLineRefreshesItsOrderOnceAtAListeningPageAfterCommit() throws Exception {
		this.orders.save(new ShopOrder(41L, "new"));
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/41/refresh");
			awaitSubscribed();

			this.transaction.executeWithoutResult((status) -> {
				ShopOrder order = this.orders.findById(41L).orElseThrow();
				order.setStatus("packed");
				this.lines.saveAndFlush(new OrderLine(41, order, "Pen", 2));
				this.lines.saveAndFlush(new OrderLine(42, order, "Ink", 1));
				assertThat(nextMessage(alice, QUIET)).as("before commit").isNull();
			});

			JsonNode message = nextMessage(alice, ONE_SECOND);
			assertThat(message).isNotNull();
			assertThat(message.get("entity").asString()).isEqualTo("Order");
			assertThat(message.get("id").asString()).isEqualTo("41");
			assertThat(message.at("/result/loadedStatus").asString()).isEqualTo("packed");
			assertThat(nextMessage(alice, QUIET)).as("a second refresh").isNull();
		}
	}

	@Test
	void aRolledBackLineRefreshesNothing() throws Exception {
		this.orders.save(new ShopOrder(43L, "new"));
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/43/refresh");
			awaitSubscribed();

			this.transaction.executeWithoutResult((status) -> {
				this.lines.saveAndFlush(new OrderLine(43, this.orders.getReferenceById(43L), "Pen", 2));
				status.setRollbackOnly();
			});

			assertThat(nextMessage(alice, QUIET)).isNull();
		}
	}

	private static JsonNode nextMessage(ListenerClient client, Duration timeout) {
		try {
			return client.nextMessage(timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitSubscribed() throws InterruptedException {
		Thread.sleep(200);
	}

}
