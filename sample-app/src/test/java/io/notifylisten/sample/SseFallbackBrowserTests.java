package io.notifylisten.sample;

import java.math.BigDecimal;
import java.time.Duration;

import io.notifylisten.sample.order.OrderService;
import io.notifylisten.sample.order.OrderStatus;
import io.notifylisten.sample.security.DemoUsers;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a network that refuses WebSocket, the page falls back to Server-Sent Events by
 * itself and still shows another user's save without a reload; so does the order list,
 * which listens to every order, and only to those its user may read.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(SseFallbackBrowserTests.NoWebSocket.class)
@Timeout(90)
class SseFallbackBrowserTests {

	@LocalServerPort
	private int port;

	@Autowired
	private OrderService orders;

	@Test
	void pageFallsBackToServerSentEventsAndStillUpdates() {
		try (Browser alice = Browser.start("http://127.0.0.1:" + this.port)) {
			alice.loginAs(DemoUsers.ALICE).open("/orders/2");
			alice.waitForBadge("connected", Duration.ofSeconds(30));
			assertThat(alice.script("return NotifyListen.transport")).isEqualTo("sse");
			alice.waitFor(By.id("order-details"), Browser.DEFAULT_WAIT);

			this.orders.save(
					new UsernamePasswordAuthenticationToken(DemoUsers.BOB, null,
							AuthorityUtils.createAuthorityList("NOTIFY_LISTEN_USER")),
					2, OrderStatus.CANCELLED, new BigDecimal("12.50"));

			alice.waitForText(By.id("order-status"), "CANCELLED", Duration.ofSeconds(3));
			assertThat(alice.find(By.id("order-changed-by")).getText()).isEqualTo(DemoUsers.BOB);
		}
	}

	@Test
	void orderListFallsBackToServerSentEventsAndStillHearsEveryOrderBobMayRead() {
		try (Browser bob = Browser.start("http://127.0.0.1:" + this.port)) {
			bob.loginAs(DemoUsers.BOB).open("/");
			bob.waitForBadge("connected", Duration.ofSeconds(30));
			assertThat(bob.script("return NotifyListen.transport")).isEqualTo("sse");
			bob.waitForAttribute(By.id("orders"), "data-live", "true", Browser.DEFAULT_WAIT);
			bob.waitFor(By.id("order-row-4"), Browser.DEFAULT_WAIT);
			String next = OrderPageBrowserTests.otherThan(bob.find(By.cssSelector("#order-row-4 .status")).getText());

			// The secret order first: once order 4's change has arrived, so would have
			// the one before it.
			this.orders.save(OrderPageBrowserTests.user(DemoUsers.ALICE), DemoUsers.SECRET_ORDER, OrderStatus.PAID,
					new BigDecimal("4300.00"));
			this.orders.save(OrderPageBrowserTests.user(DemoUsers.ALICE), 4, OrderStatus.valueOf(next),
					new BigDecimal("15.50"));

			bob.waitForText(By.id("order-row-4"), next, Duration.ofSeconds(5));
			assertThat(bob.script("return document.querySelectorAll('#order-row-3').length")).isEqualTo(0L);
		}
	}

	/** A proxy that lets HTTP through but refuses every WebSocket handshake. */
	@TestConfiguration(proxyBeanMethods = false)
	static class NoWebSocket {

		@Bean
		FilterRegistrationBean<Filter> refuseWebSocket() {
			Filter refuse = (request, response, chain) -> ((HttpServletResponse) response).sendError(403);
			FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(refuse);
			registration.addUrlPatterns("/notify-listen/ws", "/notify-listen/ws/*");
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

}
