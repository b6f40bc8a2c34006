package io.notifylisten.autoconfigure;

import io.notifylisten.internal.log.BrokerConnection;
import io.notifylisten.health.BrokerHealthIndicator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the {@code notifyListenBroker} health indicator, present when
 * Spring Boot's health support is.
 */
@AutoConfiguration(after = NotifyListenWebSocketAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(NotifyListenProperties.class)
@ConditionalOnEnabledHealthIndicator("notify-listen-broker")
public final class NotifyListenHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "notifyListenBrokerHealthIndicator")
	HealthIndicator notifyListenBrokerHealthIndicator(ObjectProvider<AbstractBrokerMessageHandler> brokers,
			ObjectProvider<BrokerConnection> brokerConnection) {
		BrokerConnection stream = brokerConnection.getIfUnique();
		// Spring registers both broker beans and leaves the unused one null; take the
		// live one.
		return brokers.stream()
			.findFirst()
			.<HealthIndicator>map((broker) -> new BrokerHealthIndicator(broker, stream))
			.orElseGet(() -> () -> org.springframework.boot.health.contributor.Health.unknown().build());
	}

}
