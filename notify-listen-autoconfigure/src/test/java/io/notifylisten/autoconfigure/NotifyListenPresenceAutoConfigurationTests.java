package io.notifylisten.autoconfigure;

import io.notifylisten.internal.presence.ClusterPresence;
import io.notifylisten.internal.presence.PresenceInterceptor;
import io.notifylisten.presence.Presence;
import io.notifylisten.presence.PresenceMember;
import io.notifylisten.presence.PresenceMemberResolver;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.support.AbstractMessageChannel;

import static org.assertj.core.api.Assertions.assertThat;

class NotifyListenPresenceAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = NotifyListenContextRunners
		.core(NotifyListenPresenceAutoConfiguration.class)
		.withPropertyValues("notify-listen.key=shop");

	@Test
	void presenceIsOnAndGuardsTheInboundChannel() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(Presence.class).hasSingleBean(PresenceMemberResolver.class);
			AbstractMessageChannel inbound = context.getBean("clientInboundChannel", AbstractMessageChannel.class);
			assertThat(inbound.getInterceptors()).hasAtLeastOneElementOfType(PresenceInterceptor.class);
		});
	}

	@Test
	void backsOffWhenUserDefinesAMemberResolver() {
		this.contextRunner.withUserConfiguration(DisplayNames.class)
			.run((context) -> assertThat(context).getBean(PresenceMemberResolver.class)
				.isSameAs(context.getBean(DisplayNames.class).resolver));
	}

	@Test
	void canBeSwitchedOff() {
		this.contextRunner.withPropertyValues("notify-listen.presence.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterPresence.class)
				.doesNotHaveBean(PresenceInterceptor.class));
	}

	@Test
	void refusesANodeTimeoutShorterThanSixPublishIntervals() {
		this.contextRunner
			.withPropertyValues("notify-listen.presence.node-timeout=1s",
					"notify-listen.presence.publish-interval=200ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.presence.node-timeout")
				.hasMessageContaining("six publish intervals"));
	}

	@Test
	void refusesZeroMaxMembers() {
		this.contextRunner.withPropertyValues("notify-listen.presence.max-members=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.presence.max-members"));
	}

	@Configuration(proxyBeanMethods = false)
	static class DisplayNames {

		final PresenceMemberResolver resolver = (user) -> new PresenceMember(user.getName(), "Dr " + user.getName(),
				null);

		@Bean
		PresenceMemberResolver displayNames() {
			return this.resolver;
		}

	}

}
