package io.notifylisten.autoconfigure;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.delivery.Deliveries;
import io.notifylisten.internal.metrics.NotifyListenMetrics;
import io.notifylisten.internal.transport.DeliveryOutcomes.DropReason;
import io.notifylisten.notify.Notifier;
import org.junit.jupiter.api.Test;

import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class NotifyListenMetricsAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = NotifyListenContextRunners
		.core(MetricsAutoConfiguration.class, NotifyListenMetricsAutoConfiguration.class);

	@Test
	void registersEveryMeterWhenAMeterRegistryIsPresent() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			assertThat(context).hasSingleBean(NotifyListenMetrics.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get(NotifyListenMetrics.CONNECTIONS).gauge().value()).isZero();
			assertThat(registry.get(NotifyListenMetrics.SUBSCRIPTIONS).gauge().value()).isZero();
			assertThat(registry.get(NotifyListenMetrics.NOTIFIED).counter().count()).isZero();
			assertThat(registry.get(NotifyListenMetrics.DELIVERED).counter().count()).isZero();
			assertThat(registry.get(NotifyListenMetrics.DROPPED).counters()).hasSize(4)
				.allMatch((counter) -> counter.count() == 0);
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
	void hearsWhatBecameOfEachMessageFromTheDeliveryRules() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			context.getBean(Deliveries.class).dropped(DropReason.SLOW);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get(NotifyListenMetrics.DROPPED).tag("reason", "slow").counter().count()).isEqualTo(1);
			assertThat(registry.get(NotifyListenMetrics.DROPPED).tag("reason", "denied").counter().count()).isZero();
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
					() -> new NotifyListenMetrics(new ConnectionRegistry(), new ChannelDestinations("user"),
							Clock.systemUTC()))
			.run((context) -> assertThat(context).hasSingleBean(NotifyListenMetrics.class).hasBean("userMetrics"));
	}

}
