package io.notifylisten.autoconfigure;

import java.util.concurrent.Executor;

import io.notifylisten.broker.ChannelSubscriptionRegistry;
import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.connection.ChannelFanOut;
import io.notifylisten.connection.ConnectionOutboxes;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.connection.DeliveryCheck;
import io.notifylisten.connection.FanOutStompEncoder;
import io.notifylisten.connection.HttpSessionEndListener;
import io.notifylisten.connection.ListenerConnection;
import io.notifylisten.connection.WebSocketSessions;
import io.notifylisten.security.ListenAuthorizer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.simp.broker.DefaultSubscriptionRegistry;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.support.AbstractMessageChannel;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.security.web.session.HttpSessionEventPublisher;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.StompSubProtocolHandler;
import org.springframework.web.socket.messaging.SubProtocolHandler;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * The connections' outbound transport: outboxes, the WebSocket sessions with their limits, the
 * direct fan-out with the embedded broker's subscription registry and encoder, and the end of
 * connections whose HTTP session ended.
 */
@Configuration(proxyBeanMethods = false)
class NotifyListenConnectionConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionOutboxes notifyListenConnectionOutboxes(
			@Qualifier("notifyListenOutboundExecutor") Executor notifyListenOutboundExecutor,
			ConnectionRegistry connections, ListenAuthorizer authorizer) {
		ConnectionOutboxes outboxes = new ConnectionOutboxes(notifyListenOutboundExecutor);
		// A connection whose user's authorities must be loaded before its next delivery waits for
		// the load on the authorities' threads, not on an outbound thread. Only once it subscribed
		// (and so may get deliveries): CONNECTED and receipts before that wait for nothing.
		outboxes.setReadiness((sessionId) -> {
			ListenerConnection connection = connections.get(sessionId);
			return (connection != null && connection.subscriptions() > 0) ? authorizer.whenCurrent(connection)
					: null;
		});
		return outboxes;
	}

	@Bean
	@ConditionalOnMissingBean
	WebSocketSessions notifyListenWebSocketSessions(NotifyListenProperties properties, ConnectionRegistry connections,
			ConnectionOutboxes outboxes, ThreadPoolTaskScheduler notifyListenTaskScheduler) {
		NotifyListenProperties.Limits limits = properties.getLimits();
		return new WebSocketSessions(connections, outboxes, notifyListenTaskScheduler, limits.getTimeToFirstConnect(),
				Math.toIntExact(limits.getMaxFrameSize().toBytes()), limits.getSendTimeLimit(),
				limits.getSendBufferSizeLimit().toBytes());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(DeliveryCheck.class)
	@ConditionalOnBooleanProperty(name = "notify-listen.broker.direct-fan-out", matchIfMissing = true)
	ChannelFanOut notifyListenChannelFanOut(ChannelDestinations destinations, WebSocketSessions sessions,
			ConnectionOutboxes outboxes, DeliveryCheck deliveryCheck) {
		return new ChannelFanOut(destinations, sessions, outboxes, deliveryCheck);
	}

	// Spring's broker registration has no setting for the registry: it is set once the broker exists,
	// before it starts, unless the application has set one of its own. The direct fan-out needs it,
	// and starts only where it delivers exactly what Spring's path would.
	@Bean
	SmartInitializingSingleton notifyListenChannelSubscriptions(ObjectProvider<SimpleBrokerMessageHandler> broker,
			ObjectProvider<ChannelFanOut> fanOut,
			@Qualifier("clientOutboundChannel") ObjectProvider<ExecutorSubscribableChannel> clientOutboundChannel,
			@Qualifier("brokerChannel") ObjectProvider<AbstractMessageChannel> brokerChannel) {
		return () -> broker.ifAvailable((handler) -> {
			if (handler.getSubscriptionRegistry().getClass() == DefaultSubscriptionRegistry.class) {
				handler.setSubscriptionRegistry(new ChannelSubscriptionRegistry());
			}
			ChannelFanOut channelFanOut = fanOut.getIfAvailable();
			ExecutorSubscribableChannel outbound = clientOutboundChannel.getIfAvailable();
			AbstractMessageChannel inbound = brokerChannel.getIfAvailable();
			if (channelFanOut != null && outbound != null && inbound != null) {
				channelFanOut.startWhereSafe(handler, outbound, inbound);
			}
		});
	}

	// Spring's STOMP handler has no setting for its encoder; it is set once the handler exists.
	@Bean
	SmartInitializingSingleton notifyListenFanOutEncoding(
			@Qualifier("subProtocolWebSocketHandler") ObjectProvider<WebSocketHandler> webSocketHandler) {
		return () -> webSocketHandler.ifAvailable((handler) -> {
			if (WebSocketHandlerDecorator.unwrap(handler) instanceof SubProtocolWebSocketHandler subProtocols) {
				for (SubProtocolHandler protocol : subProtocols.getProtocolHandlers()) {
					if (protocol instanceof StompSubProtocolHandler stomp) {
						stomp.setEncoder(new FanOutStompEncoder());
					}
				}
			}
		});
	}

	@Bean
	@ConditionalOnMissingBean
	HttpSessionEndListener notifyListenHttpSessionEndListener(ConnectionRegistry connections,
			WebSocketSessions sessions) {
		return new HttpSessionEndListener(connections, sessions);
	}

	// Spring Security only turns HTTP session ends into events when this listener is registered.
	@Bean
	@ConditionalOnMissingBean(HttpSessionEventPublisher.class)
	ServletListenerRegistrationBean<HttpSessionEventPublisher> notifyListenHttpSessionEventPublisher() {
		return new ServletListenerRegistrationBean<>(new HttpSessionEventPublisher());
	}

}
