package io.notifylisten.autoconfigure;

import java.time.Clock;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.log.LocalDelivery;
import io.notifylisten.internal.presence.ClusterPresence;
import io.notifylisten.internal.presence.PresenceInterceptor;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.presence.PresenceMemberResolver;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.util.function.SingletonSupplier;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of presence: who is looking at an object now, on every node.
 */
@AutoConfiguration(after = { NotifyListenAutoConfiguration.class, NotifyListenStreamAutoConfiguration.class,
		NotifyListenWebSocketAutoConfiguration.class })
@ConditionalOnBean({ NotifyListenProperties.class, LocalDelivery.class, NotifyListenBrokerConfigurer.class })
@ConditionalOnBooleanProperty(name = "notify-listen.presence.enabled", matchIfMissing = true)
public final class NotifyListenPresenceAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterPresence notifyListenPresence(NotifyListenProperties properties, ChannelDestinations destinations,
			ObjectProvider<NotificationLog> notificationLog,
			ObjectProvider<SimpMessageSendingOperations> brokerMessagingTemplate, ApplicationEventPublisher events) {
		NotifyListenProperties.Presence presence = properties.getPresence();
		// The log delivers through LocalDelivery, which hands presence records back to
		// this bean, and the broker's template comes with the WebSocket configuration
		// that
		// the presence interceptor is part of: both are asked for at the first record.
		return new ClusterPresence(destinations, SingletonSupplier.of(notificationLog::getObject),
				SingletonSupplier.of(brokerMessagingTemplate::getObject), events, Clock.systemUTC(),
				presence.getPublishInterval(), presence.getNodeTimeout(), presence.getMaxMembers());
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
