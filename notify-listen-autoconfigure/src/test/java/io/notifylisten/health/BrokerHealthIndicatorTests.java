package io.notifylisten.health;

import java.util.List;
import java.util.Map;

import io.notifylisten.internal.log.BrokerConnection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerHealthIndicatorTests {

	private final SimpleBrokerMessageHandler broker = new SimpleBrokerMessageHandler(channel(), channel(), channel(),
			List.of("/topic"));

	@Test
	void isUpOnOneNodeWhileTheEmbeddedBrokerRuns() {
		this.broker.start();
		try {
			Health health = new BrokerHealthIndicator(this.broker, null).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("mode", "single node");
		}
		finally {
			this.broker.stop();
		}
	}

	@Test
	void isDownWhileTheEmbeddedBrokerIsNotRunning() {
		assertThat(new BrokerHealthIndicator(this.broker, null).health().getStatus()).isEqualTo(Status.DOWN);
	}

	@Test
	void staysUpWhileTheBrokerIsAwayAndNotificationsAreStillAccepted() {
		this.broker.start();
		try {
			Health health = new BrokerHealthIndicator(this.broker, new Stream(false, 12, false)).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("mode", "stream")
				.containsEntry("broker", "unreachable")
				.containsEntry("waiting", 12)
				.containsEntry("stream", "notify-listen.shop on localhost:5552");
		}
		finally {
			this.broker.stop();
		}
	}

	@Test
	void isDownWhileNotifyRefusesNotifications() {
		this.broker.start();
		try {
			Health health = new BrokerHealthIndicator(this.broker, new Stream(false, 10_000, true)).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		}
		finally {
			this.broker.stop();
		}
	}

	private static SubscribableChannel channel() {
		return new ExecutorSubscribableChannel();
	}

	private record Stream(boolean isConnected, int waiting, boolean isRefusing) implements BrokerConnection {

		@Override
		public String describe() {
			return "notify-listen.shop on localhost:5552";
		}

		@Override
		public Map<String, Long> rejectedRecords() {
			return Map.of();
		}

	}

}
