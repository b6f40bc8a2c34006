package io.notifylisten.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import com.rabbitmq.stream.Environment;
import io.notifylisten.internal.log.LocalDelivery;
import io.notifylisten.internal.log.RabbitStreamNotificationLog;
import io.notifylisten.internal.log.StreamSettings;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.NotificationLog;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the notification log on a RabbitMQ stream, for several nodes: on
 * when {@code notify-listen.stream.host} is set. Before the core auto-configuration,
 * whose in-memory log then backs off.
 */
@AutoConfiguration(before = NotifyListenAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "notify-listen.enabled", matchIfMissing = true)
@ConditionalOnClass(Environment.class)
@ConditionalOnProperty("notify-listen.stream.host")
@EnableConfigurationProperties(NotifyListenProperties.class)
public final class NotifyListenStreamAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(NotificationLog.class)
	RabbitStreamNotificationLog notifyListenNotificationLog(NotifyListenProperties properties,
			LocalDelivery localDelivery, ObjectProvider<JsonMapper> jsonMapper, SubscriptionSigner signer,
			ObjectProvider<LifecycleProperties> lifecycle) {
		// Spring Boot's own default when its lifecycle auto-configuration is left out.
		Duration shutdownTimeout = lifecycle.getIfAvailable(LifecycleProperties::new).getTimeoutPerShutdownPhase();
		return new RabbitStreamNotificationLog(settings(properties, shutdownTimeout), localDelivery,
				jsonMapper.getIfAvailable(JsonMapper::shared), signer, Clock.systemUTC());
	}

	static StreamSettings settings(NotifyListenProperties properties, Duration shutdownTimeout) {
		NotifyListenProperties.Stream stream = properties.getStream();
		NotifyListenProperties.Outbox outbox = stream.getOutbox();
		return new StreamSettings(stream.getHost(), stream.getPort(), stream.getUsername(), stream.getPassword(),
				stream.getVirtualHost(), NotifyListenAutoConfiguration.streamName(properties), stream.getMaxAge(),
				stream.getMaxSize().toBytes(), stream.getConfirmTimeout(), stream.isAwaitConfirmation(),
				stream.getRecoveryInterval(), outbox.getMaxSize(), outbox.getMaxAge(), properties.getHistory().getTtl(),
				shutdownTimeout);
	}

}
