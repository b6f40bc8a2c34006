package io.notifylisten.autoconfigure;

import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.security.ListenAuthorizer;
import io.notifylisten.security.SubscriptionSigner;
import io.notifylisten.web.ClientSettings;
import io.notifylisten.web.PusherController;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * {@code /rest/pusher/key} and {@code /rest/pusher/auth}.
 */
@AutoConfiguration(after = NotifyListenAutoConfiguration.class)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(NotifyListenProperties.class)
public final class NotifyListenWebMvcAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClientSettings notifyListenClientSettings(NotifyListenProperties properties, ChannelDestinations destinations) {
		return new ClientSettings(destinations.key(), properties.getEndpoint(), PusherController.AUTH_PATH,
				"{entity}/{id}/{action}", destinations.prefix() + "{entity}.{id}.{action}",
				properties.isRequireSignature(), properties.getHeartbeat().getIncoming().toMillis(),
				properties.getHeartbeat().getOutgoing().toMillis(), null);
	}

	@Bean
	@ConditionalOnMissingBean
	PusherController notifyListenPusherController(ClientSettings settings, ListenAuthorizer authorizer,
			SubscriptionSigner signer) {
		return new PusherController(settings, authorizer, signer);
	}

}
