package io.notifylisten.internal.log;

import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.simp.stomp.StompSession;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node whose RabbitMQ is unreachable (nothing answers on port 1) while a user's page
 * joins and leaves an object's presence over and over: the presence records it writes
 * meanwhile must not take the outbox's room, which belongs to the notifications that
 * notify accepted.
 */
@OrdersServerTest({ "notify-listen.key=presence-away", "notify-listen.stream.host=127.0.0.1",
		"notify-listen.stream.port=1", "notify-listen.stream.outbox.max-size=5" })
class PresenceWhileTheBrokerIsAwayTests {

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	BrokerConnection stream;

	@Autowired
	@Qualifier("notifyListenBrokerHealthIndicator")
	HealthIndicator health;

	@Test
	void oneUsersJoinsAndLeavesLeaveNotifyAcceptingAndTheNodeUp() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			// About 16 presence records a second, each publish interval (50 ms) its own.
			for (int churn = 0; churn < 20; churn++) {
				StompSession.Subscription presence = alice.present("Order", "71");
				Thread.sleep(60);
				presence.unsubscribe();
				Thread.sleep(60);
			}
		}
		Thread.sleep(200);

		for (int n = 1; n <= 4; n++) {
			this.notifier.notify("Order", 71, "shipped");
		}
		assertThat(this.stream.waiting()).isEqualTo(4);
		assertThat(this.stream.isRefusing()).isFalse();
		assertThat(this.health.health().getStatus()).isEqualTo(Status.UP);
		this.notifier.notify("Order", 71, "shipped");
	}

}
