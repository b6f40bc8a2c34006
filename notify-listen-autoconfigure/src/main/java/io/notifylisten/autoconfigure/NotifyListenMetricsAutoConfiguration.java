package io.notifylisten.autoconfigure;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.log.BrokerConnection;
import io.notifylisten.internal.metrics.NotifyListenMetrics;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of notify-listen's Micrometer meters, present when the application
 * has a {@link MeterRegistry} (Spring Boot Actuator then shows them under
 * {@code /actuator/metrics}).
 */
@AutoConfiguration(
		after = { NotifyListenAutoConfiguration.class, NotifyListenHandlerAutoConfiguration.class,
				NotifyListenWebSocketAutoConfiguration.class },
		afterName = {
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, ConnectionRegistry.class, ChannelDestinations.class })
public final class NotifyListenMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NotifyListenMetrics notifyListenMetrics(ConnectionRegistry connections, ChannelDestinations destinations) {
		return new NotifyListenMetrics(connections, destinations, Clock.systemUTC());
	}

	@Bean
	@ConditionalOnBean(BrokerConnection.class)
	MeterBinder notifyListenStreamMeters(BrokerConnection stream) {
		return NotifyListenMetrics.streamMeters(stream);
	}

	/**
	 * Counts the notifications handed to the broker.
	 * @param metrics the meters
	 * @return the configurer
	 */
	@Bean
	WebSocketMessageBrokerConfigurer notifyListenMetricsConfigurer(NotifyListenMetrics metrics) {
		return new WebSocketMessageBrokerConfigurer() {
			@Override
			public void configureMessageBroker(MessageBrokerRegistry registry) {
				registry.configureBrokerChannel().interceptors(metrics.brokerChannelInterceptor());
			}
		};
	}

}
