package io.notifylisten.autoconfigure;

import java.util.List;
import java.util.concurrent.Executor;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectedFrameInterceptor;
import io.notifylisten.internal.connection.SilentClientInterceptor;
import io.notifylisten.internal.security.InboundFrameGuard;
import io.notifylisten.internal.security.LoggedInCsrfTokenHandshakeInterceptor;
import io.notifylisten.internal.security.RefusalLog;
import io.notifylisten.internal.security.SafeStompErrorHandler;
import io.notifylisten.internal.transport.ChannelFanOut;
import io.notifylisten.internal.transport.OutboundTransport;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.StompWebSocketEndpointRegistration;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketTransportRegistration;
import org.springframework.web.socket.server.support.HttpSessionHandshakeInterceptor;

/**
 * Registers the STOMP endpoint, the embedded broker and notify-listen's channel
 * interceptors.
 */
class NotifyListenBrokerConfigurer implements WebSocketMessageBrokerConfigurer, Ordered {

	private final NotifyListenProperties properties;

	private final List<ChannelInterceptor> inboundInterceptors;

	private final ConnectedFrameInterceptor connectedFrameInterceptor;

	private final OutboundTransport transport;

	private final TaskScheduler heartbeatScheduler;

	private final Executor inboundExecutor;

	private final @Nullable ChannelFanOut fanOut;

	private final InboundFrameGuard frameGuard;

	private final RefusalLog refusals;

	NotifyListenBrokerConfigurer(NotifyListenProperties properties, List<ChannelInterceptor> inboundInterceptors,
			OutboundTransport transport, ConnectedFrameInterceptor connectedFrameInterceptor,
			TaskScheduler heartbeatScheduler, Executor inboundExecutor, @Nullable ChannelFanOut fanOut,
			InboundFrameGuard frameGuard, RefusalLog refusals) {
		this.properties = properties;
		this.inboundInterceptors = inboundInterceptors;
		this.connectedFrameInterceptor = connectedFrameInterceptor;
		this.transport = transport;
		this.heartbeatScheduler = heartbeatScheduler;
		this.inboundExecutor = inboundExecutor;
		this.fanOut = fanOut;
		this.frameGuard = frameGuard;
		this.refusals = refusals;
	}

	@Override
	public void registerStompEndpoints(StompEndpointRegistry registry) {
		StompWebSocketEndpointRegistration endpoint = registry.addEndpoint(this.properties.getEndpoint());
		if (!this.properties.getAllowedOrigins().isEmpty()) {
			endpoint.setAllowedOriginPatterns(this.properties.getAllowedOrigins().toArray(String[]::new));
		}
		if (this.properties.getCsrf().isEnabled()) {
			endpoint.addInterceptors(new LoggedInCsrfTokenHandshakeInterceptor());
		}
		// Only the HTTP session's id, so the connection can end with it; none of its
		// attributes.
		HttpSessionHandshakeInterceptor httpSession = new HttpSessionHandshakeInterceptor();
		httpSession.setCopyAllAttributes(false);
		httpSession.setCreateSession(false);
		endpoint.addInterceptors(httpSession);
		registry.setErrorHandler(new SafeStompErrorHandler(this.transport,
				this.properties.getLimits().getSendTimeLimit(), this.refusals));
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		// The broker only checks the clients' heart-beats: the server's own are the
		// transport's, which sees every write to a connection (OutgoingHeartbeats), and
		// the CONNECTED frame offers them.
		registry.enableSimpleBroker(ChannelDestinations.TOPIC_PREFIX)
			.setHeartbeatValue(new long[] { 0, this.properties.getHeartbeat().getIncoming().toMillis() })
			.setTaskScheduler(this.heartbeatScheduler);
		if (this.fanOut != null) {
			// On the broker channel, whose interceptors' preSend all run before it takes
			// a message.
			registry.configureBrokerChannel().interceptors(this.fanOut);
		}
	}

	@Override
	public void configureWebSocketTransport(WebSocketTransportRegistration registration) {
		NotifyListenProperties.Limits limits = this.properties.getLimits();
		registration.setMessageSizeLimit(Math.toIntExact(limits.getMaxFrameSize().toBytes()))
			.setSendTimeLimit(Math.toIntExact(limits.getSendTimeLimit().toMillis()))
			.setSendBufferSizeLimit(Math.toIntExact(limits.getSendBufferSizeLimit().toBytes()))
			.addDecoratorFactory(this.transport)
			// Last, so outermost: it sees each frame before Spring's STOMP handler does.
			.addDecoratorFactory(this.frameGuard);
	}

	// Pools of their own, not Spring Boot's applicationTaskExecutor (which Boot hands to
	// both channels): @Async work and SUBSCRIBE floods must not queue in front of
	// deliveries.
	@Override
	public void configureClientInboundChannel(ChannelRegistration registration) {
		registration.executor(this.inboundExecutor);
		registration.interceptors(this.inboundInterceptors.toArray(ChannelInterceptor[]::new));
	}

	@Override
	public void configureClientOutboundChannel(ChannelRegistration registration) {
		// Per connection, messages leave in the order they were notified: progress
		// updates and "saved, then deleted" must not arrive the other way round (the pool
		// behind it has several threads). The outboxes keep that order in place of
		// Spring's preservePublishOrder.
		registration.executor(this.transport.channelExecutor());
		registration.interceptors(this.connectedFrameInterceptor, new SilentClientInterceptor());
	}

	// After Spring Boot's own configurer (order 0), so ours is the last word on the
	// broker.
	@Override
	public int getOrder() {
		return 10;
	}

}
