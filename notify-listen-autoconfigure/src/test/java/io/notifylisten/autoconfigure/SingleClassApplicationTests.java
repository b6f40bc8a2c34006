package io.notifylisten.autoconfigure;

import io.notifylisten.notify.Notifier;
import io.notifylisten.security.EntityAccessRules;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A first application often is one class: it injects the {@link Notifier} and declares
 * the access rules. It must start: the rules are needed when pages listen, not when the
 * notifier is made.
 */
class SingleClassApplicationTests {

	@Test
	void applicationThatInjectsTheNotifierAndDeclaresTheRulesStarts() {
		try (ConfigurableApplicationContext context = SpringApplication.run(ShopApplication.class, "--server.port=0",
				"--server.address=127.0.0.1", "--spring.jmx.enabled=false",
				"--notify-listen.secret=0123456789abcdef0123456789abcdef")) {
			assertThat(context.getBean(ShopApplication.class).notifier).isSameAs(context.getBean(Notifier.class));
		}
	}

	@SpringBootApplication
	static class ShopApplication {

		final Notifier notifier;

		ShopApplication(Notifier notifier) {
			this.notifier = notifier;
		}

		@Bean
		EntityAccessRules entityAccessRules() {
			return EntityAccessRules.builder().entity("Order", EntityAccessRules.EntityRule.anyListener()).build();
		}

	}

}
