package io.notifylisten.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.rabbitmq.stream.Environment;
import io.notifylisten.internal.log.BrokerConnection;
import io.notifylisten.internal.log.InMemoryNotificationLog;
import io.notifylisten.internal.log.RabbitStreamNotificationLog;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.NotifyMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class NotifyListenStreamAutoConfigurationTests {

	// Port 1: nothing answers there, so the node runs as it would with its broker away.
	private final WebApplicationContextRunner contextRunner = NotifyListenContextRunners
		.core(NotifyListenStreamAutoConfiguration.class, NotifyListenHealthAutoConfiguration.class)
		.withPropertyValues("notify-listen.key=shop");

	@Test
	void keepsNotificationsOnTheNodeWithoutAStreamHost() {
		this.contextRunner.run((context) -> assertThat(context).getBean(NotificationLog.class)
			.isInstanceOf(InMemoryNotificationLog.class));
	}

	@Test
	void streamHostSwitchesEveryNodeToTheStreamNamedAfterTheKey() {
		this.contextRunner.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.port=1")
			.run((context) -> {
				assertThat(context).getBean(NotificationLog.class).isInstanceOf(RabbitStreamNotificationLog.class);
				assertThat(context.getBean(BrokerConnection.class).describe())
					.isEqualTo("stream 'notify-listen.shop' on 127.0.0.1:1 (virtual host /)");
			});
	}

	@Test
	void notifyAwaitsTheBrokersConfirmationUnlessTurnedOff() {
		this.contextRunner.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.port=1")
			.run((context) -> assertThat(NotifyListenStreamAutoConfiguration
				.settings(context.getBean(NotifyListenProperties.class), Duration.ofSeconds(30))
				.awaitConfirmation()).isTrue());
		this.contextRunner
			.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.port=1",
					"notify-listen.stream.await-confirmation=false")
			.run((context) -> assertThat(NotifyListenStreamAutoConfiguration
				.settings(context.getBean(NotifyListenProperties.class), Duration.ofSeconds(30))
				.awaitConfirmation()).isFalse());
	}

	@Test
	void healthStaysUpWhileTheBrokerIsUnreachableAndNotificationsAreAccepted(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.port=1",
					"notify-listen.stream.password=pa55-not-for-logs")
			.run((context) -> {
				context.getBean(NotificationLog.class).append(orderRefresh());
				Health health = context.getBean("notifyListenBrokerHealthIndicator", HealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("mode", "stream")
					.containsEntry("broker", "unreachable")
					.containsEntry("waiting", 1);
			});
		assertThat(output).doesNotContain("pa55-not-for-logs");
	}

	@Test
	void healthIsDownOnceTheOutboxRefusesNotifications() {
		this.contextRunner
			.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.port=1",
					"notify-listen.stream.outbox.max-size=1")
			.run((context) -> {
				context.getBean(NotificationLog.class).append(orderRefresh());
				Health health = context.getBean("notifyListenBrokerHealthIndicator", HealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			});
	}

	@Test
	void backsOffWhenUserDefinesNotificationLog() {
		this.contextRunner.withPropertyValues("notify-listen.stream.host=127.0.0.1")
			.withUserConfiguration(UserLog.class)
			.run((context) -> assertThat(context).getBean(NotificationLog.class).isSameAs(UserLog.LOG));
	}

	@Test
	void refusesTheRemovedRelayPropertiesNamingTheStreamOnes() {
		this.contextRunner
			.withPropertyValues("notify-listen.broker.relay.host=rabbitmq.internal",
					"notify-listen.broker.relay.passcode=s3cret-passcode")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.broker.relay.")
				.hasMessageContaining("notify-listen.stream.host")
				.hasMessageNotContaining("s3cret-passcode"));
	}

	@Test
	void refusesAStreamThatKeepsLessThanTheHistory() {
		this.contextRunner
			.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.max-age=1m",
					"notify-listen.history.ttl=2m")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.stream.max-age")
				.hasMessageContaining("notify-listen.history.ttl"));
	}

	@Test
	void refusesAPortOutOfRangeNamingTheProperty() {
		this.contextRunner.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.port=70000")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.stream.port"));
	}

	@Test
	void streamWithoutASecretFailsNamingTheSecretAndNeverItsValue() {
		this.contextRunner.withPropertyValues("notify-listen.stream.host=127.0.0.1", "notify-listen.secret=")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.secret")
				.hasMessageContaining("same on every node"));
	}

	@Test
	void streamHostWithoutTheStreamClientFailsNamingTheDependency() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Environment.class))
			.withPropertyValues("notify-listen.stream.host=127.0.0.1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.stream.host")
				.hasMessageContaining("com.rabbitmq:stream-client"));
	}

	private static LoggedNotification orderRefresh() {
		return new LoggedNotification("/topic/shop.Order.1.refresh", Map.of(),
				new NotifyMessage("Order", "1", "refresh", Instant.now(), NotifyMessage.SYSTEM, Map.of()));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserLog {

		static final NotificationLog LOG = (notification) -> {
		};

		@Bean
		NotificationLog userNotificationLog() {
			return LOG;
		}

	}

}
