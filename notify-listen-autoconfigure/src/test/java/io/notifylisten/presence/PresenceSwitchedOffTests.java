package io.notifylisten.presence;

import java.time.Duration;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code notify-listen.presence.enabled=false} there is no presence: a page that subscribes to
 * one is told so and cut off, instead of waiting for members that never come.
 */
@OrdersServerTest({ "notify-listen.key=presence-off", "notify-listen.presence.enabled=false" })
class PresenceSwitchedOffTests {

	private static final Duration SECONDS = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	ObjectProvider<Presence> presence;

	@Test
	void aPresenceSubscriptionIsRefused() throws Exception {
		assertThat(this.presence.getIfAvailable()).isNull();
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.present("Order", "31");
			assertThat(alice.nextError(SECONDS)).isEqualTo("Presence is off");
			assertThat(alice.awaitClosed(SECONDS)).isTrue();
		}
	}

}
