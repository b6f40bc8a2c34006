package io.notifylisten.internal.connection;

import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Below a DispatcherServlet path, the handshake clean-up is mapped where the endpoint
 * then is. Runs in the {@code on-jetty} execution only.
 */
@SpringBootTest(classes = OrdersTestApplication.class,
		properties = { "notify-listen.key=jetty-servlet-path", "notify-listen.secret=0123456789abcdef0123456789abcdef",
				"spring.mvc.servlet.path=/api", "notify-listen.endpoint=/live" })
class UpgradedRequestServletPathOnJettyTests {

	@Autowired
	FilterRegistrationBean<UpgradedRequestCleanupFilter> cleanup;

	@Test
	void theCleanUpIsMappedToTheEndpointBelowTheServletPath() {
		assertThat(this.cleanup.getUrlPatterns()).containsExactly("/api/live");
	}

}
