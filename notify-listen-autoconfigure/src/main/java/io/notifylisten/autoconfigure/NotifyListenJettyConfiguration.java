package io.notifylisten.autoconfigure;

import io.notifylisten.internal.connection.UpgradedRequestCleanupFilter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletPath;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * On Jetty, which keeps a WebSocket's handshake request reachable for the WebSocket's
 * life: the attributes the application set on it are dropped once it is upgraded.
 * Conditional on the container class that makes Spring choose its Jetty upgrade strategy,
 * the path that keeps it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.eclipse.jetty.ee11.websocket.server.JettyWebSocketServerContainer")
class NotifyListenJettyConfiguration {

	@Bean
	@ConditionalOnMissingFilterBean(UpgradedRequestCleanupFilter.class)
	FilterRegistrationBean<UpgradedRequestCleanupFilter> notifyListenUpgradedRequestCleanup(
			NotifyListenProperties properties, ObjectProvider<DispatcherServletPath> dispatcherServletPath) {
		FilterRegistrationBean<UpgradedRequestCleanupFilter> registration = new FilterRegistrationBean<>(
				new UpgradedRequestCleanupFilter());
		// The endpoint is mapped below the DispatcherServlet's path
		// (spring.mvc.servlet.path).
		String endpoint = properties.getEndpoint();
		DispatcherServletPath servletPath = dispatcherServletPath.getIfAvailable();
		registration.addUrlPatterns((servletPath != null) ? servletPath.getRelativePath(endpoint) : endpoint);
		// First in the chain, before the observation filter and Spring Security: it acts
		// when every other filter has returned. (Boot's character encoding filter has the
		// same order; it reads no attributes.)
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

}
