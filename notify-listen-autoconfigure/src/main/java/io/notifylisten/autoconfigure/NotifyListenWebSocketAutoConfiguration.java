package io.notifylisten.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

import io.notifylisten.broker.ChannelSubscriptionRegistry;
import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.connection.ChannelFanOut;
import io.notifylisten.connection.ConnectedFrameInterceptor;
import io.notifylisten.connection.ConnectionOutboxes;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.connection.DeliveryCheck;
import io.notifylisten.connection.FanOutStompEncoder;
import io.notifylisten.connection.HttpSessionEndListener;
import io.notifylisten.connection.ListenerConnection;
import io.notifylisten.connection.UpgradedRequestCleanupFilter;
import io.notifylisten.connection.WebSocketSessions;
import io.notifylisten.history.ChannelHistory;
import io.notifylisten.history.RecoveryInterceptor;
import io.notifylisten.presence.PresenceInterceptor;
import io.notifylisten.listen.NotifyListenDeliveryInterceptor;
import io.notifylisten.security.ListenAuthorizer;
import io.notifylisten.security.InboundFrameGuard;
import io.notifylisten.security.RefusalLog;
import io.notifylisten.security.StompAccessInterceptor;
import io.notifylisten.security.StompLimits;
import io.notifylisten.security.SubscriptionSigner;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletPath;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.broker.DefaultSubscriptionRegistry;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.support.AbstractMessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.ImmutableMessageChannelInterceptor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.security.web.session.HttpSessionEventPublisher;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.DelegatingWebSocketMessageBrokerConfiguration;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.StompSubProtocolHandler;
import org.springframework.web.socket.messaging.SubProtocolHandler;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * STOMP-over-WebSocket endpoint and its embedded broker, guarded by notify-listen's interceptors.
 */
// After Boot's task executor: notify-listen's pools and scheduler are Executor beans, and Boot's
// applicationTaskExecutor (the application's @Async) backs off when it sees any.
@AutoConfiguration(after = { NotifyListenAutoConfiguration.class, NotifyListenHandlerAutoConfiguration.class },
		afterName = "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
		beforeName = "org.springframework.boot.websocket.autoconfigure.servlet.WebSocketMessagingAutoConfiguration")
@ConditionalOnBean(NotifyListenProperties.class)
public final class NotifyListenWebSocketAutoConfiguration {

	private static final Log logger = LogFactory.getLog(NotifyListenWebSocketAutoConfiguration.class);

	/** How often the refusals of client input are summed up in one WARN. */
	private static final Duration REFUSAL_SUMMARY_INTERVAL = Duration.ofMinutes(5);

	/** Where notify-listen's own channel interceptors live. */
	private static final Set<String> INTERCEPTOR_PACKAGES = Set.of("io.notifylisten.connection",
			"io.notifylisten.listen", "io.notifylisten.metrics", "io.notifylisten.security", "io.notifylisten.history",
			"io.notifylisten.presence");

	@Bean
	@ConditionalOnMissingBean
	StompAccessInterceptor notifyListenStompAccessInterceptor(NotifyListenProperties properties,
			ChannelDestinations destinations, ConnectionRegistry connections, ListenAuthorizer authorizer,
			SubscriptionSigner signer) {
		return new StompAccessInterceptor(destinations, connections, authorizer, signer,
				properties.isRequireSignature(), properties.getCsrf().isEnabled(), stompLimits(properties));
	}

	@Bean
	@ConditionalOnMissingBean
	InboundFrameGuard notifyListenInboundFrameGuard(NotifyListenProperties properties, ConnectionRegistry connections,
			WebSocketSessions sessions, RefusalLog refusals) {
		return new InboundFrameGuard(connections, sessions, stompLimits(properties),
				Math.toIntExact(properties.getLimits().getMaxFrameSize().toBytes()), refusals);
	}

	@Bean
	@ConditionalOnMissingBean
	RefusalLog notifyListenRefusalLog(ThreadPoolTaskScheduler notifyListenTaskScheduler) {
		RefusalLog refusals = new RefusalLog(REFUSAL_SUMMARY_INTERVAL);
		notifyListenTaskScheduler.scheduleAtFixedRate(refusals::report, REFUSAL_SUMMARY_INTERVAL);
		return refusals;
	}

	private static StompLimits stompLimits(NotifyListenProperties properties) {
		NotifyListenProperties.Limits limits = properties.getLimits();
		return new StompLimits(limits.getMaxHeaders(), limits.getMaxDestinationLength(),
				limits.getMaxSubscriptionsPerConnection(), limits.getMaxConnectionsPerUser(),
				limits.getMaxInboundFramesPerSecond());
	}

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
		if (limits.getSendBufferSizeLimit().toBytes() < 1) {
			// Nothing could wait for a client: every connection would be cut off at its first message.
			throw new InvalidConfigurationPropertyValueException("notify-listen.limits.send-buffer-size-limit",
					limits.getSendBufferSizeLimit(), "At least one byte must be allowed to wait for a client (default 512KB)");
		}
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
			ObjectProvider<ChannelFanOut> fanOut, ConnectionOutboxes outboxes,
			@Qualifier("clientOutboundChannel") ObjectProvider<ExecutorSubscribableChannel> clientOutboundChannel,
			@Qualifier("brokerChannel") ObjectProvider<AbstractMessageChannel> brokerChannel) {
		return () -> broker.ifAvailable((handler) -> {
			if (handler.getSubscriptionRegistry().getClass() == DefaultSubscriptionRegistry.class) {
				handler.setSubscriptionRegistry(new ChannelSubscriptionRegistry());
			}
			ChannelFanOut channelFanOut = fanOut.getIfAvailable();
			ExecutorSubscribableChannel outbound = clientOutboundChannel.getIfAvailable();
			AbstractMessageChannel inbound = brokerChannel.getIfAvailable();
			if (channelFanOut == null || outbound == null || inbound == null) {
				return;
			}
			String offBecause = directFanOutObstacle(handler, outbound, inbound, outboxes);
			if (offBecause != null) {
				logger.info("notify-listen's direct fan-out is off: " + offBecause);
				return;
			}
			channelFanOut.start(handler, (ChannelSubscriptionRegistry) handler.getSubscriptionRegistry(), outbound);
		});
	}

	private static @Nullable String directFanOutObstacle(SimpleBrokerMessageHandler broker,
			ExecutorSubscribableChannel outbound, AbstractMessageChannel inbound, ConnectionOutboxes outboxes) {
		if (!(broker.getSubscriptionRegistry() instanceof ChannelSubscriptionRegistry)) {
			return "the broker has a subscription registry of the application's own";
		}
		if (broker.getHeaderInitializer() != null) {
			return "the broker has a header initializer, which Spring's path runs for every subscriber";
		}
		if (outbound.getExecutor() != outboxes.channelExecutor()) {
			return "the client outbound channel has an executor of the application's own, so the two paths "
					+ "would not share the connections' order";
		}
		if (!onlyOurs(outbound.getInterceptors()) || !onlyOurs(inbound.getInterceptors()
			.stream()
			.filter(ExecutorChannelInterceptor.class::isInstance)
			.toList())) {
			return "an interceptor of the application's own is on the client outbound channel or handles "
					+ "messages on the broker channel, and sees every message only on Spring's path";
		}
		return null;
	}

	// notify-listen's (by their packages, not by the application's), and the one Spring puts on every
	// channel, which only seals a message's headers.
	private static boolean onlyOurs(List<ChannelInterceptor> interceptors) {
		return interceptors.stream()
			.allMatch((interceptor) -> interceptor instanceof ImmutableMessageChannelInterceptor
					|| INTERCEPTOR_PACKAGES.contains(interceptor.getClass().getPackageName()));
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


	@Bean
	@ConditionalOnMissingBean
	ConnectedFrameInterceptor notifyListenConnectedFrameInterceptor(ConnectionRegistry connections) {
		return new ConnectedFrameInterceptor(connections);
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
	ThreadPoolTaskScheduler notifyListenTaskScheduler() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix("notify-listen-scheduler-");
		scheduler.setPoolSize(1);
		return scheduler;
	}

	@Bean
	@ConditionalOnMissingBean(name = "notifyListenInboundExecutor")
	ThreadPoolTaskExecutor notifyListenInboundExecutor(NotifyListenProperties properties) {
		return channelExecutor("notify-listen-inbound-", "notify-listen.broker.inbound-threads",
				properties.getBroker().getInboundThreads());
	}

	@Bean
	@ConditionalOnMissingBean(name = "notifyListenOutboundExecutor")
	ThreadPoolTaskExecutor notifyListenOutboundExecutor(NotifyListenProperties properties) {
		return channelExecutor("notify-listen-outbound-", "notify-listen.broker.outbound-threads",
				properties.getBroker().getOutboundThreads());
	}

	// Loads of listening users' authorities (role-recheck-interval), off the delivery threads:
	// a UserDetailsService may well query a database. Two threads: one slow load does not hold up
	// the others; a connection waits for a load at most role-recheck-interval, then loads itself.
	@Bean
	@ConditionalOnMissingBean(name = "notifyListenAuthoritiesExecutor")
	ThreadPoolTaskExecutor notifyListenAuthoritiesExecutor() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadNamePrefix("notify-listen-authorities-");
		executor.setCorePoolSize(2);
		executor.setMaxPoolSize(2);
		executor.setAllowCoreThreadTimeOut(true);
		return executor;
	}

	// Like Spring's own channel pools: fixed size, unbounded queue (a message refused by a full
	// queue would be lost; slow connections are cut off by the send limits instead).
	private static ThreadPoolTaskExecutor channelExecutor(String prefix, String property, int threads) {
		if (threads < 1) {
			throw new InvalidConfigurationPropertyValueException(property, threads, "At least one thread is needed");
		}
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadNamePrefix(prefix);
		executor.setCorePoolSize(threads);
		executor.setMaxPoolSize(threads);
		executor.setAllowCoreThreadTimeOut(true);
		return executor;
	}

	@Bean
	NotifyListenBrokerConfigurer notifyListenBrokerConfigurer(NotifyListenProperties properties,
			StompAccessInterceptor accessInterceptor, ObjectProvider<RecoveryInterceptor> recoveryInterceptor,
			ObjectProvider<PresenceInterceptor> presenceInterceptor,
			ConnectedFrameInterceptor connectedFrameInterceptor,
			ObjectProvider<NotifyListenDeliveryInterceptor> deliveryInterceptor,
			ConnectionOutboxes outboxes, WebSocketSessions sessions, ThreadPoolTaskScheduler notifyListenTaskScheduler,
			@Qualifier("notifyListenInboundExecutor") Executor notifyListenInboundExecutor,
			ObjectProvider<ChannelFanOut> fanOut, InboundFrameGuard frameGuard, RefusalLog refusals) {
		List<ChannelInterceptor> outbound = new ArrayList<>(deliveryInterceptor.orderedStream().toList());
		List<ChannelInterceptor> inbound = new ArrayList<>();
		inbound.add(accessInterceptor);
		recoveryInterceptor.ifAvailable(inbound::add);
		presenceInterceptor.ifAvailable(inbound::add);
		return new NotifyListenBrokerConfigurer(properties, inbound, outboxes, connectedFrameInterceptor, outbound,
				sessions, notifyListenTaskScheduler, notifyListenInboundExecutor, fanOut.getIfAvailable(), frameGuard,
				refusals);
	}

	/**
	 * On Jetty, which keeps a WebSocket's handshake request reachable for the WebSocket's life: the
	 * attributes the application set on it are dropped once it is upgraded. Conditional on the
	 * container class that makes Spring choose its Jetty upgrade strategy, the path that keeps it.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.eclipse.jetty.ee11.websocket.server.JettyWebSocketServerContainer")
	static class JettyConfiguration {

		@Bean
		@ConditionalOnMissingFilterBean(UpgradedRequestCleanupFilter.class)
		FilterRegistrationBean<UpgradedRequestCleanupFilter> notifyListenUpgradedRequestCleanup(
				NotifyListenProperties properties, ObjectProvider<DispatcherServletPath> dispatcherServletPath) {
			FilterRegistrationBean<UpgradedRequestCleanupFilter> registration = new FilterRegistrationBean<>(
					new UpgradedRequestCleanupFilter());
			// The endpoint is mapped below the DispatcherServlet's path (spring.mvc.servlet.path).
			String endpoint = properties.getEndpoint();
			DispatcherServletPath servletPath = dispatcherServletPath.getIfAvailable();
			registration.addUrlPatterns((servletPath != null) ? servletPath.getRelativePath(endpoint) : endpoint);
			// First in the chain, before the observation filter and Spring Security: it acts when
			// every other filter has returned. (Boot's character encoding filter has the same order;
			// it reads no attributes.)
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

	/**
	 * Turns on Spring's STOMP message broker, unless the application already has. An application
	 * that has keeps its own settings and gains notify-listen's endpoint and interceptors.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(DelegatingWebSocketMessageBrokerConfiguration.class)
	@EnableWebSocketMessageBroker
	static class MessageBrokerConfiguration {

	}

}
