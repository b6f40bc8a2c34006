package io.notifylisten.autoconfigure;

import java.util.concurrent.Executor;

import io.notifylisten.internal.broker.ChannelSubscriptionRegistry;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.HttpSessionEndListener;
import io.notifylisten.internal.delivery.Deliveries;
import io.notifylisten.internal.transport.ChannelFanOut;
import io.notifylisten.internal.transport.OutboundTransport;
import io.notifylisten.internal.transport.TransportLimits;
import tools.jackson.databind.json.JsonMapper;

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
 * The connections' outbound transport: outboxes, the WebSocket sessions with their
 * limits, the direct fan-out with the embedded broker's subscription registry and
 * encoder, and the end of connections whose HTTP session ended.
 */
@Configuration(proxyBeanMethods = false)
class NotifyListenConnectionConfiguration {

	@Bean
	@ConditionalOnMissingBean
	OutboundTransport notifyListenOutboundTransport(NotifyListenProperties properties, Deliveries deliveries,
			@Qualifier("notifyListenOutboundExecutor") Executor notifyListenOutboundExecutor,
			ThreadPoolTaskScheduler notifyListenTaskScheduler) {
		NotifyListenProperties.Limits limits = properties.getLimits();
		TransportLimits transportLimits = new TransportLimits(limits.getTimeToFirstConnect(),
				Math.toIntExact(limits.getMaxFrameSize().toBytes()), limits.getSendTimeLimit(),
				limits.getSendBufferSizeLimit().toBytes(), limits.conflationThresholdBytes());
		return new OutboundTransport(deliveries::isConnected, notifyListenOutboundExecutor, notifyListenTaskScheduler,
				transportLimits, properties.getHeartbeat().getOutgoing(), deliveries::readiness, deliveries);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(Deliveries.class)
	@ConditionalOnBooleanProperty(name = "notify-listen.broker.direct-fan-out", matchIfMissing = true)
	ChannelFanOut notifyListenChannelFanOut(ChannelDestinations destinations, OutboundTransport transport,
			Deliveries deliveries) {
		return transport.channelFanOut(destinations, deliveries, deliveries);
	}

	// Spring's broker registration has no setting for the registry: it is set once the
	// broker exists, before it starts, unless the application has set one of its own. The
	// direct fan-out needs it, and starts only where it delivers exactly what Spring's
	// path would.
	@Bean
	SmartInitializingSingleton notifyListenChannelSubscriptions(ObjectProvider<SimpleBrokerMessageHandler> broker,
			ChannelDestinations destinations, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<ChannelFanOut> fanOut,
			@Qualifier("clientOutboundChannel") ObjectProvider<ExecutorSubscribableChannel> clientOutboundChannel,
			@Qualifier("brokerChannel") ObjectProvider<AbstractMessageChannel> brokerChannel) {
		return () -> broker.ifAvailable((handler) -> {
			if (handler.getSubscriptionRegistry().getClass() == DefaultSubscriptionRegistry.class) {
				handler.setSubscriptionRegistry(
						new ChannelSubscriptionRegistry(destinations, jsonMapper.getIfAvailable(JsonMapper::shared)));
			}
			ChannelFanOut channelFanOut = fanOut.getIfAvailable();
			ExecutorSubscribableChannel outbound = clientOutboundChannel.getIfAvailable();
			AbstractMessageChannel inbound = brokerChannel.getIfAvailable();
			if (channelFanOut != null && outbound != null && inbound != null) {
				channelFanOut.startWhereSafe(handler, outbound, inbound);
			}
		});
	}

	// Spring's STOMP handler has no setting for its encoder; it is set once the handler
	// exists.
	@Bean
	SmartInitializingSingleton notifyListenFanOutEncoding(OutboundTransport transport,
			@Qualifier("subProtocolWebSocketHandler") ObjectProvider<WebSocketHandler> webSocketHandler) {
		return () -> webSocketHandler.ifAvailable((handler) -> {
			if (WebSocketHandlerDecorator.unwrap(handler) instanceof SubProtocolWebSocketHandler subProtocols) {
				for (SubProtocolHandler protocol : subProtocols.getProtocolHandlers()) {
					if (protocol instanceof StompSubProtocolHandler stomp) {
						stomp.setEncoder(transport.stompEncoder());
					}
				}
			}
		});
	}

	@Bean
	@ConditionalOnMissingBean
	HttpSessionEndListener notifyListenHttpSessionEndListener(ConnectionRegistry connections,
			OutboundTransport transport) {
		return new HttpSessionEndListener(connections, transport);
	}

	// Spring Security only turns HTTP session ends into events when this listener is
	// registered.
	@Bean
	@ConditionalOnMissingBean(HttpSessionEventPublisher.class)
	ServletListenerRegistrationBean<HttpSessionEventPublisher> notifyListenHttpSessionEventPublisher() {
		return new ServletListenerRegistrationBean<>(new HttpSessionEventPublisher());
	}

}
