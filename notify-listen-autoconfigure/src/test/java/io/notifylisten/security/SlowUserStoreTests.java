package io.notifylisten.security;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.willAnswer;

/**
 * A user store that takes its time to reload a user's authorities holds up that user's
 * deliveries only, not the threads that write to everyone else. One outbound thread, so
 * that a load on it would show as other listeners' silence.
 */
@OrdersServerTest({ "notify-listen.key=slow-store", "notify-listen.role-recheck-interval=1s",
		"notify-listen.broker.outbound-threads=1" })
class SlowUserStoreTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private final CountDownLatch storeAnswersForBob = new CountDownLatch(1);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@MockitoSpyBean
	InMemoryUserDetailsManager users;

	@AfterEach
	void openTheStore() {
		this.storeAnswersForBob.countDown();
	}

	@Test
	void aUserWhoseAuthoritiesAreStillLoadingWaitsAloneAndGetsTheMessagesAfterwards() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.listen("Order/74/shipped");
			bob.listen("Order/74/shipped");
			Thread.sleep(200);
			this.notifier.notify("Order", 74, "shipped");
			assertThat(alice.nextMessage(ONE_SECOND)).isNotNull();
			assertThat(bob.nextMessage(ONE_SECOND)).isNotNull();

			CountDownLatch bobLoading = new CountDownLatch(1);
			willAnswer((invocation) -> {
				bobLoading.countDown();
				this.storeAnswersForBob.await(10, TimeUnit.SECONDS);
				return invocation.callRealMethod();
			}).given(this.users).loadUserByUsername(eq(BOB));
			// Past twice the recheck interval both users' authorities must be loaded
			// again first.
			Thread.sleep(2100);
			this.notifier.notify("Order", 74, "shipped");
			assertThat(bobLoading.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(alice.nextMessage(ONE_SECOND)).as("alice's first").isNotNull();
			this.notifier.notify("Order", 74, "shipped");
			assertThat(alice.nextMessage(ONE_SECOND)).as("alice's second: the only outbound thread is free")
				.isNotNull();
			assertThat(bob.nextMessage(Duration.ofMillis(300))).as("bob's wait for his authorities").isNull();

			this.storeAnswersForBob.countDown();
			assertThat(bob.nextMessage(ONE_SECOND)).as("bob's first, once loaded").isNotNull();
			assertThat(bob.nextMessage(ONE_SECOND)).as("bob's second").isNotNull();
		}
	}

}
