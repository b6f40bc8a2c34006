package io.notifylisten.autoconfigure;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.connection.ChannelFanOut;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.metrics.NotifyListenMetrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * notify-listen's Micrometer meters, present when the application has a {@link MeterRegistry}
 * (Spring Boot Actuator then shows them under {@code /actuator/metrics}).
 */
@AutoConfiguration(
		after = { NotifyListenAutoConfiguration.class, NotifyListenHandlerAutoConfiguration.class,
				NotifyListenWebSocketAutoConfiguration.class },
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, ConnectionRegistry.class, ChannelDestinations.class })
public final class NotifyListenMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	NotifyListenMetrics notifyListenMetrics(MeterRegistry registry, ConnectionRegistry connections,
			ChannelDestinations destinations) {
		return new NotifyListenMetrics(registry, connections, destinations, Clock.systemUTC());
	}

	// The direct fan-out writes past the client outbound channel's interceptors; it reports itself.
	@Bean
	SmartInitializingSingleton notifyListenFanOutMeters(NotifyListenMetrics metrics,
			ObjectProvider<ChannelFanOut> fanOut) {
		return () -> fanOut.ifAvailable((channelFanOut) -> channelFanOut.setOutcomes(metrics.fanOutOutcomes()));
	}

	/**
	 * Puts the counting interceptors first on the client outbound channel and on the broker channel.
	 * @param metrics the meters
	 * @return the configurer
	 */
	@Bean
	WebSocketMessageBrokerConfigurer notifyListenMetricsHeadConfigurer(NotifyListenMetrics metrics) {
		return new OrderedConfigurer(Ordered.HIGHEST_PRECEDENCE) {
			@Override
			public void configureClientOutboundChannel(ChannelRegistration registration) {
				registration.interceptors(metrics.outboundHeadInterceptor());
			}

			@Override
			public void configureMessageBroker(MessageBrokerRegistry registry) {
				registry.configureBrokerChannel().interceptors(metrics.brokerChannelInterceptor());
			}
		};
	}

	/**
	 * Puts the marker that a message got past every other interceptor last on the client outbound
	 * channel.
	 * @param metrics the meters
	 * @return the configurer
	 */
	@Bean
	WebSocketMessageBrokerConfigurer notifyListenMetricsTailConfigurer(NotifyListenMetrics metrics) {
		return new OrderedConfigurer(Ordered.LOWEST_PRECEDENCE) {
			@Override
			public void configureClientOutboundChannel(ChannelRegistration registration) {
				registration.interceptors(metrics.outboundTailInterceptor());
			}
		};
	}

	// Configurers are applied in this order, which is also the order their interceptors run in.
	private abstract static class OrderedConfigurer implements WebSocketMessageBrokerConfigurer, Ordered {

		private final int order;

		OrderedConfigurer(int order) {
			this.order = order;
		}

		@Override
		public int getOrder() {
			return this.order;
		}

	}

}
