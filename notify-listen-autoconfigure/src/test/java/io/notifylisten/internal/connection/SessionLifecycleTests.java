package io.notifylisten.internal.connection;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.OrdersTestApplication.RevokedOrders;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static io.notifylisten.testapp.OrdersTestApplication.CAROL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access lost while a connection is open takes effect with the next message, not the next
 * login.
 */
@OrdersServerTest({ "notify-listen.key=lifecycle", "notify-listen.role-recheck-interval=0s" })
class SessionLifecycleTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	RevokedOrders revokedOrders;

	@Autowired
	InMemoryUserDetailsManager users;

	@Test
	void losingEntityAccessStopsDeliveryWithTheNextMessage() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.listen("Order/71/shipped");
			bob.listen("Order/71/shipped");
			Thread.sleep(200);
			this.notifier.notify("Order", 71, "shipped");
			assertThat(alice.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(bob.nextMessage(ONE_SECOND)).isNotNull();

			this.revokedOrders.revoke(ALICE, 71);
			this.notifier.notify("Order", 71, "shipped");

			assertThat(bob.nextMessage(ONE_SECOND)).as("bob may still read it").isNotNull();
			assertThat(alice.nextMessage(QUIET)).as("alice no longer may").isNull();
		}
	}

	@Test
	void aListenRoleLostSinceLoginIsRefusedByAuthAndBySubscribe() throws Exception {
		this.users.updateUser(User.withUsername(CAROL)
			.password("{noop}password")
			.authorities("ORDER_CLERK", "NOTIFY_LISTEN_USER")
			.build());
		try (ListenerClient carol = ListenerClient.as(this.port, CAROL).connect()) {
			this.users
				.updateUser(User.withUsername(CAROL).password("{noop}password").authorities("ORDER_CLERK").build());

			HttpResponse<String> auth = carol.authorize(carol.connectionId(), "Order/73/shipped");
			assertThat(auth.statusCode()).as("the session's authorities still hold the role").isEqualTo(403);
			assertThat(auth.body()).isEqualTo("{\"error\":\"Listen role required\"}");
			carol.subscribe(carol.destination("Order/73/shipped"), null);
			assertThat(carol.nextError(ONE_SECOND)).isEqualTo("Listen role required");
			assertThat(carol.awaitClosed(ONE_SECOND)).as("closed after the refusal").isTrue();
		}
		finally {
			this.users
				.updateUser(User.withUsername(CAROL).password("{noop}password").authorities("ORDER_CLERK").build());
		}
	}

	@Test
	void losingTheListenRoleStopsDeliveryWithTheNextMessage() throws Exception {
		try (ListenerClient carol = ListenerClient.as(this.port, CAROL)) {
			this.users.updateUser(User.withUsername(CAROL)
				.password("{noop}password")
				.authorities("ORDER_CLERK", "NOTIFY_LISTEN_USER")
				.build());
			carol.connect().listen("Order/72/shipped");
			Thread.sleep(200);
			this.notifier.notify("Order", 72, "shipped");
			assertThat(carol.nextMessage(ONE_SECOND)).isNotNull();

			this.users
				.updateUser(User.withUsername(CAROL).password("{noop}password").authorities("ORDER_CLERK").build());
			this.notifier.notify("Order", 72, "shipped");

			assertThat(carol.nextMessage(QUIET)).isNull();
		}
		finally {
			this.users
				.updateUser(User.withUsername(CAROL).password("{noop}password").authorities("ORDER_CLERK").build());
		}
	}

}
