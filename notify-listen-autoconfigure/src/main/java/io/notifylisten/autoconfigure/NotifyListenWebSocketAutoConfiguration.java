package io.notifylisten.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.internal.connection.ConnectedFrameInterceptor;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.delivery.DeliveryInterceptor;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.internal.history.RecoveryInterceptor;
import io.notifylisten.internal.presence.PresenceInterceptor;
import io.notifylisten.internal.security.BearerTokenAuthenticator;
import io.notifylisten.internal.security.BearerTokenConnections;
import io.notifylisten.internal.security.InboundFrameGuard;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.security.RefusalLog;
import io.notifylisten.internal.security.StompAccessInterceptor;
import io.notifylisten.internal.security.StompLimits;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.internal.transport.ChannelFanOut;
import io.notifylisten.internal.transport.OutboundTransport;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.config.annotation.DelegatingWebSocketMessageBrokerConfiguration;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the STOMP-over-WebSocket endpoint and its embedded broker,
 * guarded by notify-listen's interceptors.
 */
// After Boot's task executor: notify-listen's pools and scheduler are Executor beans, and
// Boot's applicationTaskExecutor (the application's @Async) backs off when it sees any.
@AutoConfiguration(
		after = { NotifyListenAutoConfiguration.class, NotifyListenHandlerAutoConfiguration.class,
				NotifyListenBearerTokenAutoConfiguration.class },
		afterName = "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
		beforeName = "org.springframework.boot.websocket.autoconfigure.servlet.WebSocketMessagingAutoConfiguration")
@ConditionalOnBean(NotifyListenProperties.class)
@Import({ NotifyListenTaskConfiguration.class, NotifyListenConnectionConfiguration.class,
		NotifyListenJettyConfiguration.class })
public final class NotifyListenWebSocketAutoConfiguration {

	/** How often the refusals of client input are summed up in one WARN. */
	private static final Duration REFUSAL_SUMMARY_INTERVAL = Duration.ofMinutes(5);

	@Bean
	@ConditionalOnMissingBean
	StompAccessInterceptor notifyListenStompAccessInterceptor(NotifyListenProperties properties,
			ChannelDestinations destinations, ConnectionRegistry connections, ListenAuthorizer authorizer,
			SubscriptionSigner signer, ObjectProvider<BearerTokenConnections> tokens, FilterableFields filterable) {
		return new StompAccessInterceptor(destinations, connections, authorizer, signer,
				properties.isRequireSignature(), properties.getCsrf().isEnabled(), properties.getPresence().isEnabled(),
				stompLimits(properties), tokens.getIfAvailable(), filterable);
	}

	@Bean
	@ConditionalOnMissingBean
	InboundFrameGuard notifyListenInboundFrameGuard(NotifyListenProperties properties, ConnectionRegistry connections,
			OutboundTransport transport, RefusalLog refusals) {
		return new InboundFrameGuard(connections, transport, stompLimits(properties),
				Math.toIntExact(properties.getLimits().getMaxFrameSize().toBytes()), refusals);
	}

	@Bean
	@ConditionalOnMissingBean
	RefusalLog notifyListenRefusalLog(ThreadPoolTaskScheduler notifyListenTaskScheduler) {
		return new RefusalLog(REFUSAL_SUMMARY_INTERVAL, notifyListenTaskScheduler);
	}

	private static StompLimits stompLimits(NotifyListenProperties properties) {
		NotifyListenProperties.Limits limits = properties.getLimits();
		return new StompLimits(limits.getMaxHeaders(), limits.getMaxDestinationLength(),
				limits.getMaxSubscriptionsPerConnection(), limits.getMaxConnectionsPerUser(),
				limits.getMaxInboundFramesPerSecond());
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectedFrameInterceptor notifyListenConnectedFrameInterceptor(ConnectionRegistry connections,
			OutboundTransport transport) {
		return new ConnectedFrameInterceptor(connections, transport);
	}

	@Bean
	@ConditionalOnBean(ChannelHistory.class)
	@ConditionalOnMissingBean
	RecoveryInterceptor notifyListenRecoveryInterceptor(ChannelDestinations destinations, ChannelHistory history,
			ObjectProvider<JsonMapper> jsonMapper,
			@Qualifier("clientOutboundChannel") ObjectProvider<MessageChannel> clientOutboundChannel) {
		return new RecoveryInterceptor(destinations, history, jsonMapper.getIfAvailable(JsonMapper::shared),
				clientOutboundChannel);
	}

	@Bean
	NotifyListenBrokerConfigurer notifyListenBrokerConfigurer(NotifyListenProperties properties,
			StompAccessInterceptor accessInterceptor, ObjectProvider<RecoveryInterceptor> recoveryInterceptor,
			ObjectProvider<PresenceInterceptor> presenceInterceptor,
			ConnectedFrameInterceptor connectedFrameInterceptor, OutboundTransport transport,
			ThreadPoolTaskScheduler notifyListenTaskScheduler,
			@Qualifier("notifyListenInboundExecutor") Executor notifyListenInboundExecutor,
			ObjectProvider<ChannelFanOut> fanOut, InboundFrameGuard frameGuard, RefusalLog refusals) {
		List<ChannelInterceptor> inbound = new ArrayList<>();
		inbound.add(accessInterceptor);
		recoveryInterceptor.ifAvailable(inbound::add);
		presenceInterceptor.ifAvailable(inbound::add);
		return new NotifyListenBrokerConfigurer(properties, inbound, transport, connectedFrameInterceptor,
				notifyListenTaskScheduler, notifyListenInboundExecutor, fanOut.getIfAvailable(), frameGuard, refusals);
	}

	// Last on the client outbound channel, after the application's own interceptors: what
	// the delivery rules let through goes to the connection as it is.
	@Bean
	@ConditionalOnBean(DeliveryInterceptor.class)
	WebSocketMessageBrokerConfigurer notifyListenDeliveryConfigurer(DeliveryInterceptor deliveryInterceptor) {
		return new LastOutboundInterceptorConfigurer(deliveryInterceptor);
	}

	/**
	 * The connections a bearer token authenticates, wherever a
	 * {@link BearerTokenAuthenticator} checks the tokens: the JWT one of
	 * {@link NotifyListenBearerTokenAutoConfiguration}, or the application's own (for
	 * opaque tokens, say).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(BearerTokenAuthenticator.class)
	static class BearerTokenConnectionsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		BearerTokenConnections notifyListenBearerTokenConnections(BearerTokenAuthenticator authenticator,
				ConnectionRegistry connections, OutboundTransport transport,
				@Qualifier("clientOutboundChannel") ObjectProvider<MessageChannel> clientOutboundChannel,
				ThreadPoolTaskScheduler notifyListenTaskScheduler, RefusalLog refusals) {
			return new BearerTokenConnections(authenticator, connections, transport, clientOutboundChannel,
					notifyListenTaskScheduler, refusals, Clock.systemUTC());
		}

	}

	/**
	 * Turns on Spring's STOMP message broker, unless the application already has. An
	 * application that has keeps its own settings and gains notify-listen's endpoint and
	 * interceptors.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(DelegatingWebSocketMessageBrokerConfiguration.class)
	@EnableWebSocketMessageBroker
	static class MessageBrokerConfiguration {

	}

	/**
	 * Adds an interceptor to the client outbound channel after every other configurer's.
	 */
	private static final class LastOutboundInterceptorConfigurer implements WebSocketMessageBrokerConfigurer, Ordered {

		private final ChannelInterceptor interceptor;

		LastOutboundInterceptorConfigurer(ChannelInterceptor interceptor) {
			this.interceptor = interceptor;
		}

		@Override
		public void configureClientOutboundChannel(ChannelRegistration registration) {
			registration.interceptors(this.interceptor);
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
