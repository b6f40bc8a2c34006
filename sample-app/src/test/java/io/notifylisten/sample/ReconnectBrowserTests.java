package io.notifylisten.sample;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import io.notifylisten.sample.order.OrderService;
import io.notifylisten.sample.order.OrderStatus;
import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An open page outlives a server restart: it reconnects by itself, is logged in again by
 * its remember-me cookie (the HTTP session died with the server), signs its channels
 * again and receives the next notification, all without a reload.
 */
@Timeout(120)
class ReconnectBrowserTests {

	private ConfigurableApplicationContext server;

	@AfterEach
	void stopServer() {
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void pageReconnectsAfterARestartOnTheSamePortAndReceivesTheNextNotification() throws Exception {
		int port = freePort();
		this.server = start(port);
		try (Browser alice = Browser.start("http://127.0.0.1:" + port);
				Browser bob = Browser.start("http://127.0.0.1:" + port)) {
			alice.loginAs(DemoUsers.ALICE).open("/orders/2");
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			alice.waitFor(By.id("order-details"), Browser.DEFAULT_WAIT);
			bob.loginAs(DemoUsers.BOB).open("/orders/2");
			alice.waitForText(By.id("viewers"), "bob is also viewing this order", Browser.DEFAULT_WAIT);
			// A second presence handle on the page that counts what the client reports.
			alice.script("window.seen = {here: 0, leaving: 0}; window.left = []; NotifyListen.presence('Order', 2, {"
					+ "here: () => window.seen.here++, leaving: (m) => { window.seen.leaving++; window.left.push(m.id); }});");
			alice.waitUntil(Browser.DEFAULT_WAIT,
					() -> ((Number) alice.script("return window.seen.here;")).intValue() == 1);

			this.server.close();
			alice.waitForBadge("reconnecting", Browser.DEFAULT_WAIT);
			// Each new context seeds its own in-memory database afresh: order 2 is PAID
			// again.
			this.server = start(port);

			alice.waitForBadge("connected", Duration.ofSeconds(45));
			assertThat(alice.find(By.id("current-user")).getText()).isEqualTo(DemoUsers.ALICE);
			// Presence is sent again as a list, not replayed as bob leaving and joining.
			alice.waitForText(By.id("viewers"), "bob is also viewing this order", Duration.ofSeconds(45));
			assertThat(((Number) alice.script("return window.seen.here;")).intValue()).isGreaterThanOrEqualTo(2);
			assertThat(((Number) alice.script("return window.seen.leaving;")).intValue())
				.as("left: %s", alice.script("return JSON.stringify(window.left);"))
				.isZero();
			this.server.getBean(OrderService.class)
				.save(OrderPageBrowserTests.user(DemoUsers.BOB), 2, OrderStatus.CANCELLED, new BigDecimal("89.90"));
			alice.waitForText(By.id("order-status"), "CANCELLED", Duration.ofSeconds(5));
			assertThat(alice.find(By.id("order-changed-by")).getText()).isEqualTo(DemoUsers.BOB);
		}
	}

	private static ConfigurableApplicationContext start(int port) {
		// Arguments, not default properties, so they beat application.yml. Immediate
		// shutdown: a graceful one would wait for the open WebSocket to finish.
		return new SpringApplicationBuilder(SampleApplication.class).run("--server.port=" + port,
				"--server.shutdown=immediate");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
