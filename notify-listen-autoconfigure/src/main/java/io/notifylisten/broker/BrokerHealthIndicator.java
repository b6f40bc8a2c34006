package io.notifylisten.broker;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;
import org.springframework.messaging.simp.stomp.StompBrokerRelayMessageHandler;

/**
 * Reports whether the broker that fans out notifications can take messages. In relay mode it is
 * down while the node has no connection to the external broker; HTTP keeps being served meanwhile,
 * and {@link io.notifylisten.notify.Notifier} throws instead of dropping messages.
 */
public class BrokerHealthIndicator extends AbstractHealthIndicator {

	private final AbstractBrokerMessageHandler broker;

	public BrokerHealthIndicator(AbstractBrokerMessageHandler broker) {
		super("notify-listen broker health check failed");
		this.broker = broker;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		if (this.broker instanceof StompBrokerRelayMessageHandler relay) {
			builder.withDetail("mode", "relay")
				.withDetail("relay", relay.getRelayHost() + ":" + relay.getRelayPort());
		}
		else {
			builder.withDetail("mode", "embedded");
		}
		if (this.broker.isBrokerAvailable()) {
			builder.up();
		}
		else {
			builder.down();
		}
	}

}
