package io.notifylisten.internal.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.transport.DeliveryOutcomes;
import io.notifylisten.internal.transport.DeliveryOutcomes.DropReason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotifyListenMetricsTests {

	private static final Instant NOW = Instant.parse("2026-11-24T02:00:03Z");

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final NotifyListenMetrics metrics = new NotifyListenMetrics(new ConnectionRegistry(),
			new ChannelDestinations("shop"), Clock.fixed(NOW, ZoneOffset.UTC));

	private final DeliveryOutcomes outcomes = this.metrics;

	@BeforeEach
	void bind() {
		this.metrics.bindTo(this.registry);
	}

	@Test
	void timesEveryDeliveryFromItsOwnChangedAtWhenEachConnectionHasAPayloadOfItsOwn() {
		// @NotifyListen results: a new array per connection, notifications interleaved.
		for (int connection = 0; connection < 3; connection++) {
			this.outcomes.delivered(payload("2026-11-24T02:00:00Z"));
			this.outcomes.delivered(payload("2026-11-24T02:00:01.5Z"));
		}

		Timer latency = this.registry.get(NotifyListenMetrics.DELIVERY_LATENCY).timer();
		assertThat(latency.count()).isEqualTo(6);
		assertThat(latency.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3 * 3000 + 3 * 1500);
		assertThat(latency.max(TimeUnit.MILLISECONDS)).isEqualTo(3000);
	}

	@Test
	void countsButDoesNotTimeAPayloadWithoutChangedAt() {
		this.outcomes.delivered("{\"entity\":\"Order\"}".getBytes(StandardCharsets.UTF_8));
		this.outcomes.delivered(payload("not a time"));

		assertThat(this.registry.get(NotifyListenMetrics.DELIVERED).counter().count()).isEqualTo(2);
		assertThat(this.registry.get(NotifyListenMetrics.DELIVERY_LATENCY).timer().count()).isZero();
	}

	@Test
	void countsDropsByReason() {
		this.outcomes.dropped(DropReason.DENIED);
		this.outcomes.dropped(DropReason.DENIED);
		this.outcomes.dropped(DropReason.CLOSED);

		assertThat(dropped("denied")).isEqualTo(2);
		assertThat(dropped("closed")).isEqualTo(1);
		assertThat(dropped("slow")).isZero();
		assertThat(dropped("error")).isZero();
	}

	private double dropped(String reason) {
		return this.registry.get(NotifyListenMetrics.DROPPED).tag("reason", reason).counter().count();
	}

	private static byte[] payload(String changedAt) {
		return ("{\"entity\":\"Order\",\"id\":\"1\",\"action\":\"shipped\",\"changedAt\":\"" + changedAt
				+ "\",\"notifiedBy\":\"alice\"}")
			.getBytes(StandardCharsets.UTF_8);
	}

}
