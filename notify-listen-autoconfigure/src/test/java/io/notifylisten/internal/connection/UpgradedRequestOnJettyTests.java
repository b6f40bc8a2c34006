package io.notifylisten.internal.connection;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.server.observation.ServerRequestObservationContext;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On Jetty, a WebSocket's handshake request stays reachable for the connection's life;
 * what the application put in its attributes must not. Runs in the {@code on-jetty}
 * execution only (the default one has Tomcat, which recycles its requests).
 */
@OrdersServerTest("notify-listen.key=jetty-upgrade")
@Import(UpgradedRequestOnJettyTests.HandshakeObservationsConfiguration.class)
class UpgradedRequestOnJettyTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	HandshakeObservations handshakes;

	@Test
	void theHandshakeObservationIsReleasedWhileTheConnectionStaysOpenAndDelivers() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/75/shipped");
			// Subscribed once a notification gets through.
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				this.notifier.notify("Order", 75, "shipped");
				return alice.nextMessage(Duration.ofMillis(200)) != null;
			});
			assertThat(this.handshakes.contexts).as("the handshake's observation").hasSize(1);

			WeakReference<ServerRequestObservationContext> handshake = this.handshakes.contexts.get(0);
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (handshake.get() != null && System.nanoTime() < deadline) {
				System.gc();
				Thread.sleep(50);
			}
			assertThat(handshake.get()).as("the handshake's observation context, after garbage collection").isNull();

			assertThat(alice.isConnected()).isTrue();
			alice.messages.clear();
			this.notifier.notify("Order", 75, "shipped");
			assertThat(alice.nextMessage(ONE_SECOND)).as("a message after the clean-up").isNotNull();
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class HandshakeObservationsConfiguration {

		@Bean
		HandshakeObservations handshakeObservations() {
			return new HandshakeObservations();
		}

	}

	/** Keeps the WebSocket handshakes' observation contexts, weakly. */
	static class HandshakeObservations implements ObservationHandler<ServerRequestObservationContext> {

		final List<WeakReference<ServerRequestObservationContext>> contexts = new CopyOnWriteArrayList<>();

		@Override
		public void onStart(ServerRequestObservationContext context) {
			if ("/notify-listen/ws".equals(context.getCarrier().getRequestURI())) {
				this.contexts.add(new WeakReference<>(context));
			}
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return context instanceof ServerRequestObservationContext;
		}

	}

}
