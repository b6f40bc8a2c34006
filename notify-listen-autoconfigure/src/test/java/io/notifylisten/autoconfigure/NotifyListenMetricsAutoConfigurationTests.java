package io.notifylisten.autoconfigure;

import java.time.Clock;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.delivery.NotifyListenDeliveryInterceptor;
import io.notifylisten.metrics.NotifyListenMetrics;
import io.notifylisten.notify.Notifier;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.websocket.autoconfigure.servlet.WebSocketMessagingAutoConfiguration;
import org.springframework.messaging.support.AbstractSubscribableChannel;
import org.springframework.messaging.support.ChannelInterceptor;

import static org.assertj.core.api.Assertions.assertThat;

class NotifyListenMetricsAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NotifyListenAutoConfiguration.class,
				NotifyListenHandlerAutoConfiguration.class, NotifyListenWebSocketAutoConfiguration.class,
				NotifyListenWebMvcAutoConfiguration.class, WebSocketMessagingAutoConfiguration.class,
				JacksonAutoConfiguration.class, NotifyListenMetricsAutoConfiguration.class))
		.withPropertyValues("notify-listen.secret=0123456789abcdef0123456789abcdef");

	@Test
	void registersEveryMeterWhenAMeterRegistryIsPresent() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			assertThat(context).hasSingleBean(NotifyListenMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get(NotifyListenMetrics.CONNECTIONS).gauge().value()).isZero();
			assertThat(registry.get(NotifyListenMetrics.SUBSCRIPTIONS).gauge().value()).isZero();
			assertThat(registry.get(NotifyListenMetrics.NOTIFIED).counter().count()).isZero();
			assertThat(registry.get(NotifyListenMetrics.DELIVERED).counter().count()).isZero();
			assertThat(registry.get(NotifyListenMetrics.DROPPED).counter().count()).isZero();
			assertThat(registry.get(NotifyListenMetrics.DELIVERY_LATENCY).timer().count()).isZero();
		});
	}

	@Test
	void countsNotificationsOnTheBrokerChannel() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			context.getBean(Notifier.class).notify("Order", 1, "refresh");
			assertThat(context.getBean(MeterRegistry.class).get(NotifyListenMetrics.NOTIFIED).counter().count())
				.isEqualTo(1);
		});
	}

	@Test
	void surroundsNotifyListenOutboundInterceptorsSoThatDropsAreSeen() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			List<ChannelInterceptor> interceptors = context
				.getBean("clientOutboundChannel", AbstractSubscribableChannel.class)
				.getInterceptors();
			int delivery = indexOf(interceptors, NotifyListenDeliveryInterceptor.class);
			assertThat(delivery).isPositive();
			int head = interceptors.indexOf(interceptors.stream()
				.filter((interceptor) -> interceptor.getClass().getName().contains("NotifyListenMetrics"))
				.findFirst()
				.orElseThrow());
			int tail = interceptors.lastIndexOf(interceptors.stream()
				.filter((interceptor) -> interceptor.getClass().getName().contains("NotifyListenMetrics"))
				.reduce((first, second) -> second)
				.orElseThrow());
			assertThat(head).isLessThan(delivery);
			assertThat(tail).isGreaterThan(delivery);
		});
	}

	@Test
	void backsOffWithoutAMeterRegistryBean() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(NotifyListenMetrics.class));
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(NotifyListenMetrics.class));
	}

	@Test
	void backsOffWhenUserDefinesNotifyListenMetrics() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withBean("userMetrics", NotifyListenMetrics.class,
					() -> new NotifyListenMetrics(new SimpleMeterRegistry(), new ConnectionRegistry(),
							new ChannelDestinations("user"), Clock.systemUTC()))
			.run((context) -> assertThat(context).hasSingleBean(NotifyListenMetrics.class)
				.hasBean("userMetrics"));
	}

	private static int indexOf(List<ChannelInterceptor> interceptors, Class<?> type) {
		for (int i = 0; i < interceptors.size(); i++) {
			if (type.isInstance(interceptors.get(i))) {
				return i;
			}
		}
		return -1;
	}

}
