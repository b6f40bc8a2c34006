package io.notifylisten.sample;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

import io.notifylisten.sample.BearerTokenConfiguration.HttpSessions;
import io.notifylisten.sample.BearerTokenConfiguration.TokenController;
import io.notifylisten.sample.order.OrderService;
import io.notifylisten.sample.order.OrderStatus;
import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.notifylisten.sample.OrderPageBrowserTests.otherThan;
import static io.notifylisten.sample.OrderPageBrowserTests.user;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-page app (sample-spa) with bearer tokens against the API on Spring
 * Security's OAuth2 Resource Server ({@link BearerTokenConfiguration}): no cookie and no
 * same-site rule, so the app on {@code 127.0.0.1} works with the API on
 * {@code localhost}; and the client renews its token on the same connection.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "sample.test-token.lifetime=" + SinglePageAppBearerBrowserTests.TOKEN_SECONDS + "s")
@ActiveProfiles("bearer")
@Import(BearerTokenConfiguration.class)
@Timeout(90)
class SinglePageAppBearerBrowserTests {

	// How long tokens live: the client renews them about 1 s after each CONNECTED or
	// renewal, since it does so at the latest 5 s before expiry.
	static final int TOKEN_SECONDS = 6;

	private static final SpaServer SPA = SpaServer.start();

	private String api = "";

	@LocalServerPort
	private int port;

	@Autowired
	private OrderService orders;

	@Autowired
	private TokenController tokens;

	@Autowired
	private HttpSessions sessions;

	@DynamicPropertySource
	static void allowTheSpaOrigin(DynamicPropertyRegistry registry) {
		registry.add("notify-listen.allowed-origins", () -> SPA.url("127.0.0.1"));
	}

	@BeforeEach
	void pointTheSpaAtTheApi() {
		this.api = "http://localhost:" + this.port;
		SPA.config("{\"api\": \"" + this.api + "\", \"auth\": \"token\", \"tokenUrl\": \"" + this.api
				+ TokenController.PATH + "\"}");
	}

	@AfterAll
	static void stopSpa() {
		SPA.close();
	}

	@Test
	void showsAnotherUsersSaveOnAnSpaOfAnotherSite() {
		try (Browser browser = Browser.start(this.api)) {
			SpaPage alice = new SpaPage(browser.visit(SPA.url("127.0.0.1") + "/"));
			alice.logIn(DemoUsers.ALICE).openOrder(1);
			String next = otherThan(alice.status());

			this.orders.save(user(DemoUsers.BOB), 1, OrderStatus.valueOf(next), new BigDecimal("10.00"));

			alice.waitForStatus(next, Duration.ofSeconds(2));
			assertThat(alice.changedBy()).isEqualTo(DemoUsers.BOB);

			// A PUT with the token and originHeaders(): the API's CORS lets both through.
			String mine = otherThan(next);
			alice.save(mine);
			assertThat(alice.status()).isEqualTo(mine);
			assertThat(alice.changedBy()).isEqualTo(DemoUsers.ALICE);

			assertThat(browser.cookies()).isEmpty();
			assertThat(this.sessions.created()).isZero();

			alice.logOut();
		}
	}

	@Test
	void keepsTheConnectionAcrossATokenRefresh() {
		try (Browser browser = Browser.start(this.api)) {
			SpaPage alice = new SpaPage(browser.visit(SPA.url("127.0.0.1") + "/"));
			alice.logIn(DemoUsers.ALICE).openOrder(1);
			Instant connected = Instant.now();
			String connectionId = alice.connectionId();
			String stateChanges = alice.stateChanges();
			assertThat(connectionId).isNotEmpty();
			int renewals = this.tokens.renewals();

			// Past the expiry of the token the connection opened with, and of the next:
			// the
			// server would have closed it with "Token expired" at the first.
			browser.waitUntil(Duration.ofSeconds(30),
					() -> Instant.now().isAfter(connected.plusSeconds(2 * TOKEN_SECONDS - 2))
							&& this.tokens.renewals() >= renewals + 2);
			String next = otherThan(alice.status());
			this.orders.save(user(DemoUsers.BOB), 1, OrderStatus.valueOf(next), new BigDecimal("10.00"));

			alice.waitForStatus(next, Duration.ofSeconds(2));
			// The same connection all along, never reconnecting.
			assertThat(alice.connectionId()).isEqualTo(connectionId);
			assertThat(alice.stateChanges()).as(browser::console).isEqualTo(stateChanges);
			assertThat(alice.state()).isEqualTo("connected");
		}
	}

}
