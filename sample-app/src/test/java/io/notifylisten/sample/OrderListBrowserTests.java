package io.notifylisten.sample;

import java.math.BigDecimal;
import java.time.Duration;

import io.notifylisten.sample.order.OrderService;
import io.notifylisten.sample.order.OrderStatus;
import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.sample.OrderPageBrowserTests.otherThan;
import static io.notifylisten.sample.OrderPageBrowserTests.user;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order list in a real browser listens to every order: an order placed and an order
 * changed in another session show up without a reload, and an order its user may not read
 * never does.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(90)
class OrderListBrowserTests {

	private static final Duration LIVE = Duration.ofSeconds(5);

	@LocalServerPort
	private int port;

	@Autowired
	private OrderService orders;

	@Test
	void showsOrdersPlacedAndChangedElsewhereWithoutReloadButNeverOneBobMayNotRead() {
		try (Browser bob = Browser.start(baseUrl()); Browser alice = Browser.start(baseUrl())) {
			bob.loginAs(DemoUsers.BOB).open("/");
			// Subscribed: from here on, only a pushed message can change the list.
			bob.waitForAttribute(By.id("orders"), "data-live", "true", Browser.DEFAULT_WAIT);
			bob.waitFor(By.id("order-row-2"), Browser.DEFAULT_WAIT);
			assertThat(secretRow(bob)).as("bob may not read order 3").isZero();
			bob.script("window.sameDocument = true;");
			bob.countMessages();

			alice.loginAs(DemoUsers.ALICE).open("/");
			alice.waitFor(By.id("new-order-form"), Browser.DEFAULT_WAIT);
			alice.find(By.id("customer-input")).sendKeys("Wayne Enterprises");
			alice.find(By.id("new-amount-input")).sendKeys("77.50");
			alice.find(By.id("create-order")).click();
			alice.waitForText(By.cssSelector("#toasts .toast"), "Placed order #", Browser.DEFAULT_WAIT);

			// The secret order first: once order 2's change has arrived, so would have
			// the one before it.
			this.orders.save(user(DemoUsers.ALICE), DemoUsers.SECRET_ORDER, OrderStatus.PAID,
					new BigDecimal("4300.00"));
			String before = bob.find(By.cssSelector("#order-row-2 .status")).getText();
			String next = otherThan(before);
			this.orders.save(user(DemoUsers.ALICE), 2, OrderStatus.valueOf(next), new BigDecimal("21.00"));

			bob.waitForText(By.cssSelector("#orders tbody"), "Wayne Enterprises", LIVE);
			bob.waitForText(By.id("order-row-2"), next, LIVE);
			bob.waitForText(By.id("order-row-2"), "21.00", LIVE);
			assertThat(bob.find(By.id("order-row-2")).getText()).contains(DemoUsers.ALICE);
			assertThat(bob.script("return window.sameDocument === true")).as("no reload").isEqualTo(true);
			assertThat(bob.receivedMessages()).as("both came as messages").isGreaterThanOrEqualTo(2);
			assertThat(secretRow(bob)).as("bob may not read order 3").isZero();
			assertThat(bob.badge()).isEqualTo("connected");
		}
	}

	private static long secretRow(Browser browser) {
		return ((Number) browser.script("return document.querySelectorAll('#order-row-' + arguments[0]).length;",
				DemoUsers.SECRET_ORDER))
			.longValue();
	}

	private String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

}
