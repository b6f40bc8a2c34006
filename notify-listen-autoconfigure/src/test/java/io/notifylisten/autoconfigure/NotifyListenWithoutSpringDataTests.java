package io.notifylisten.autoconfigure;

import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.notify.Notifier;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs in a surefire execution of its own whose class path lacks Spring Data and JPA,
 * which are optional: an application without them must start, notify and run handlers.
 */
class NotifyListenWithoutSpringDataTests {

	private final WebApplicationContextRunner contextRunner = NotifyListenContextRunners.core();

	@Test
	void startsAndRegistersHandlersWithoutSpringDataOrJpa() {
		assertThat(ClassUtils.isPresent("org.springframework.data.repository.support.Repositories", null))
			.as("this test must run without Spring Data on the class path")
			.isFalse();
		assertThat(ClassUtils.isPresent("jakarta.persistence.Entity", null)).isFalse();
		this.contextRunner.withUserConfiguration(NotifyListenAutoConfigurationTests.InvoiceHandlerConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(Notifier.class);
				assertThat(context.getBean(NotifyListenHandlers.class).find("Invoice", "paid")).isNotNull();
			});
	}

}
