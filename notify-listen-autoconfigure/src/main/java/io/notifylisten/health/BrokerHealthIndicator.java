package io.notifylisten.health;

import io.notifylisten.internal.log.BrokerConnection;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;

/**
 * Reports whether this node takes notifications and delivers them. With several nodes it
 * shows the RabbitMQ stream's state as details, and stays up while the broker is away and
 * notifications are still accepted into the outbox: every node would otherwise leave its
 * load balancer at once during an outage that loses nothing. It is down only while notify
 * refuses notifications.
 */
public class BrokerHealthIndicator extends AbstractHealthIndicator {

	private final AbstractBrokerMessageHandler broker;

	private final @Nullable BrokerConnection stream;

	public BrokerHealthIndicator(AbstractBrokerMessageHandler broker, @Nullable BrokerConnection stream) {
		super("notify-listen broker health check failed");
		this.broker = broker;
		this.stream = stream;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean accepting = this.broker.isBrokerAvailable();
		if (this.stream == null) {
			builder.withDetail("mode", "single node");
		}
		else {
			builder.withDetail("mode", "stream")
				.withDetail("stream", this.stream.describe())
				.withDetail("broker", this.stream.isConnected() ? "connected" : "unreachable")
				.withDetail("waiting", this.stream.waiting());
			accepting &= !this.stream.isRefusing();
		}
		if (accepting) {
			builder.up();
		}
		else {
			builder.down();
		}
	}

}
