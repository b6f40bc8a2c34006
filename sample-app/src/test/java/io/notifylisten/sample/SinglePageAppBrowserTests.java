package io.notifylisten.sample;

import java.math.BigDecimal;
import java.time.Duration;

import io.notifylisten.sample.order.OrderService;
import io.notifylisten.sample.order.OrderStatus;
import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.notifylisten.sample.OrderPageBrowserTests.otherThan;
import static io.notifylisten.sample.OrderPageBrowserTests.user;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-page app (sample-spa, built with the npm package) on another origin than the
 * API, logged in with the session cookie: it works where the two origins are the same
 * site ({@code localhost:<spa>} and {@code localhost:<api>}), and the cookie is not sent
 * where they are not ({@code 127.0.0.1:<spa>}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(90)
class SinglePageAppBrowserTests {

	private static final SpaServer SPA = SpaServer.start();

	private String api = "";

	@LocalServerPort
	private int port;

	@Autowired
	private OrderService orders;

	@DynamicPropertySource
	static void allowTheSpaOrigins(DynamicPropertyRegistry registry) {
		registry.add("notify-listen.allowed-origins", () -> spa("localhost") + "," + spa("127.0.0.1"));
	}

	@BeforeEach
	void pointTheSpaAtTheApi() {
		this.api = "http://localhost:" + this.port;
		SPA.config("{\"api\": \"" + this.api + "\"}");
	}

	@AfterAll
	static void stopSpa() {
		SPA.close();
	}

	@Test
	void showsAnotherUsersSaveOnTheSpaOfTheSameSiteAndSavesThroughTheApi() {
		try (Browser browser = Browser.start(this.api)) {
			SpaPage alice = new SpaPage(browser.visit(spa("localhost") + "/"));
			alice.logIn(DemoUsers.ALICE).openOrder(1);
			String next = otherThan(alice.status());

			this.orders.save(user(DemoUsers.BOB), 1, OrderStatus.valueOf(next), new BigDecimal("10.00"));

			alice.waitForStatus(next, Duration.ofSeconds(2));
			assertThat(alice.changedBy()).isEqualTo(DemoUsers.BOB);

			// A PUT with the CSRF token and originHeaders(): the API's CORS lets both
			// through.
			String mine = otherThan(next);
			alice.save(mine);
			assertThat(alice.status()).isEqualTo(mine);
			assertThat(alice.changedBy()).isEqualTo(DemoUsers.ALICE);

			alice.logOut();
		}
	}

	@Test
	void sendsTheSessionCookieToTheSpaOfTheSameSiteOnlyNotToAnotherSite() {
		try (Browser alice = Browser.start(this.api)) {
			alice.loginAs(DemoUsers.ALICE);

			// 127.0.0.1 is another site than localhost: the cookie of the login above
			// stays
			// home, and so does the one a login from there would set.
			alice.visit(spa("127.0.0.1") + "/");
			alice.waitFor(By.id("login-form"), Browser.DEFAULT_WAIT);
			new SpaPage(alice).submitLogin(DemoUsers.ALICE);
			alice.waitForText(By.id("login-error"), "Login failed", Browser.DEFAULT_WAIT);
			assertThat(alice.find(By.id("current-user")).getText()).isEmpty();

			// Another origin of the same site: the cookie goes with the requests.
			alice.visit(spa("localhost") + "/");
			alice.waitForText(By.id("current-user"), DemoUsers.ALICE, Browser.DEFAULT_WAIT);
		}
	}

	private static String spa(String host) {
		return SPA.url(host);
	}

}
