package io.notifylisten.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.websocket.autoconfigure.servlet.WebSocketMessagingAutoConfiguration;

/**
 * The context runner the auto-configuration tests start from: notify-listen's core
 * auto-configurations with Spring Boot's WebSocket messaging and Jackson, and a fixed
 * secret unless the test is about its absence.
 */
final class NotifyListenContextRunners {

	static final String SECRET = "0123456789abcdef0123456789abcdef";

	private NotifyListenContextRunners() {
	}

	/**
	 * A runner with the core auto-configurations and the ones a test adds.
	 * @param more the auto-configurations of the feature under test
	 * @return the runner
	 */
	static WebApplicationContextRunner core(Class<?>... more) {
		return withoutSecret(more).withPropertyValues("notify-listen.secret=" + SECRET);
	}

	/**
	 * A runner with the core auto-configurations and the ones a test adds, and no secret
	 * set.
	 * @param more the auto-configurations of the feature under test
	 * @return the runner
	 */
	static WebApplicationContextRunner withoutSecret(Class<?>... more) {
		return new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(NotifyListenAutoConfiguration.class,
					NotifyListenHandlerAutoConfiguration.class, NotifyListenBearerTokenAutoConfiguration.class,
					NotifyListenWebSocketAutoConfiguration.class, NotifyListenWebMvcAutoConfiguration.class,
					WebSocketMessagingAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withConfiguration(AutoConfigurations.of(more));
	}

}
