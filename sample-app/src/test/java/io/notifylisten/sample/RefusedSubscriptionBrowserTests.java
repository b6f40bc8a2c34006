package io.notifylisten.sample;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A SUBSCRIBE the server refuses costs the whole connection (ERROR, then close). The
 * client must report the channel once, reconnect without it, and keep every other channel
 * working, rather than reconnect and be refused forever.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(60)
class RefusedSubscriptionBrowserTests {

	// Hands the client a forged signature for Order/2/refresh, so the server refuses its
	// SUBSCRIBE.
	private static final String FORGE_SIGNATURE_AND_LISTEN = """
			const realFetch = window.fetch;
			window.fetch = (url, init) => (String(url).endsWith('/rest/pusher/auth')
					&& String(init.body).includes('channel_name=Order%2F2%2Frefresh'))
				? Promise.resolve(new Response('{"auth":"sample:00"}', { headers: { 'Content-Type': 'application/json' } }))
				: realFetch(url, init);
			window.deniedEvents = [];
			window.connects = 0;
			NotifyListen.on('denied', (e) => window.deniedEvents.push(e.channel + ': ' + e.reason));
			NotifyListen.on('connected', () => window.connects++);
			NotifyListen.listen('Order', 2, { refresh: () => {} });
			""";

	@LocalServerPort
	private int port;

	@Autowired
	private OrderService orders;

	@Test
	void refusedSubscriptionIsReportedOnceAndSkippedWhileOtherChannelsKeepWorking() throws Exception {
		try (Browser alice = Browser.start("http://127.0.0.1:" + this.port)) {
			alice.loginAs(DemoUsers.ALICE).open("/orders/1");
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			alice.waitFor(By.id("order-details"), Browser.DEFAULT_WAIT);

			alice.script(FORGE_SIGNATURE_AND_LISTEN);
			alice.waitUntil(Browser.DEFAULT_WAIT, () -> deniedEvents(alice).size() == 1);
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			Thread.sleep(3000);

			assertThat(deniedEvents(alice)).containsExactly("Order/2/refresh: Invalid subscription signature");
			assertThat(((Number) alice.script("return window.connects;")).intValue()).isEqualTo(1);
			String before = alice.find(By.id("order-status")).getText();
			String next = OrderPageBrowserTests.otherThan(before);
			this.orders.save(OrderPageBrowserTests.user(DemoUsers.BOB), 1, OrderStatus.valueOf(next),
					new BigDecimal("1250.00"));
			alice.waitForText(By.id("order-status"), next, Duration.ofSeconds(3));
		}
	}

	@SuppressWarnings("unchecked")
	private static List<String> deniedEvents(Browser browser) {
		return (List<String>) browser.script("return window.deniedEvents;");
	}

}
