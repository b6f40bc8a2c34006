package io.notifylisten.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.log.LocalDelivery;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.presence.ClusterPresence;
import io.notifylisten.presence.PresenceInterceptor;
import io.notifylisten.presence.PresenceMemberResolver;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.util.function.SingletonSupplier;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * presence: who is looking at an object now, on every node.
 */
@AutoConfiguration(after = { NotifyListenAutoConfiguration.class, NotifyListenStreamAutoConfiguration.class,
		NotifyListenWebSocketAutoConfiguration.class })
@ConditionalOnBean({ NotifyListenProperties.class, LocalDelivery.class, NotifyListenBrokerConfigurer.class })
@ConditionalOnBooleanProperty(name = "notify-listen.presence.enabled", matchIfMissing = true)
public final class NotifyListenPresenceAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterPresence notifyListenPresence(NotifyListenProperties properties, ChannelDestinations destinations,
			LocalDelivery localDelivery, ObjectProvider<NotificationLog> notificationLog,
			ObjectProvider<SimpMessageSendingOperations> brokerMessagingTemplate, ApplicationEventPublisher events) {
		NotifyListenProperties.Presence presence = properties.getPresence();
		Duration publishInterval = presence.getPublishInterval();
		if (publishInterval.isNegative() || publishInterval.isZero()) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.presence.publish-interval",
					publishInterval, "The publish interval must be positive (default 50ms)");
		}
		if (presence.getNodeTimeout().compareTo(publishInterval.multipliedBy(6)) < 0
				|| presence.getNodeTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.presence.node-timeout",
					presence.getNodeTimeout(), "The node timeout must be at least 1s and six publish intervals, so "
							+ "that a live node's snapshots (every third of it) arrive in time");
		}
		if (presence.getMaxMembers() < 1) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.presence.max-members",
					presence.getMaxMembers(), "At least one member must be shown (default 100)");
		}
		ClusterPresence clusterPresence = new ClusterPresence(destinations,
				SingletonSupplier.of(notificationLog::getObject),
				SingletonSupplier.of(brokerMessagingTemplate::getObject), events, Clock.systemUTC(), publishInterval,
				presence.getNodeTimeout(), presence.getMaxMembers());
		// The log delivers to the presence, which writes to the log: the one is handed the other.
		localDelivery.setPresence(() -> clusterPresence);
		return clusterPresence;
	}

	@Bean
	@ConditionalOnMissingBean
	PresenceMemberResolver notifyListenPresenceMemberResolver() {
		return PresenceMemberResolver.usernames();
	}

	@Bean
	@ConditionalOnMissingBean
	PresenceInterceptor notifyListenPresenceInterceptor(ChannelDestinations destinations, ClusterPresence presence,
			ConnectionRegistry connections, PresenceMemberResolver memberResolver,
			ObjectProvider<JsonMapper> jsonMapper,
			@Qualifier("clientOutboundChannel") ObjectProvider<MessageChannel> clientOutboundChannel) {
		return new PresenceInterceptor(destinations, presence, connections, memberResolver,
				jsonMapper.getIfAvailable(JsonMapper::shared), clientOutboundChannel);
	}

}
