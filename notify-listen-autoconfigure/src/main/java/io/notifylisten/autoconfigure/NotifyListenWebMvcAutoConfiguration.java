package io.notifylisten.autoconfigure;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.contract.Contract;
import io.notifylisten.internal.contract.ContractController;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.internal.persistence.NotifiedActions;
import io.notifylisten.internal.security.BearerTokenAuthenticator;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.security.RefusalLog;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.internal.sse.SseStreams;
import io.notifylisten.internal.web.ClientSettings;
import io.notifylisten.internal.web.CrossOriginFilter;
import io.notifylisten.internal.web.PublishController;
import io.notifylisten.internal.web.PusherController;
import io.notifylisten.internal.web.SseController;
import io.notifylisten.notify.Notifier;
import io.notifylisten.security.EntityAccessRules;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletPath;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of {@code /rest/pusher/key} and {@code /rest/pusher/auth}.
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
				properties.getPresence().isEnabled() ? destinations.presenceDestinationFormat() : null,
				properties.isRequireSignature(), properties.getHeartbeat().getIncoming().toMillis(),
				properties.getHeartbeat().getOutgoing().toMillis(), null);
	}

	@Bean
	@ConditionalOnMissingBean
	PusherController notifyListenPusherController(ClientSettings settings, ListenAuthorizer authorizer,
			SubscriptionSigner signer, FilterableFields filterable) {
		return new PusherController(settings, authorizer, signer, filterable);
	}

	// A page on an origin allowed to open the WebSocket (a single-page app served
	// elsewhere) may also fetch its settings and signatures, and read event streams, with
	// its cookies. No CORS is answered where no origin is allowed: the browser's
	// same-origin rule then stands. Just before the application's security, which would
	// refuse preflights (they carry no credentials) and whose own CORS support, like
	// Spring's origin checks, throws on a malformed Origin.
	@Bean
	@ConditionalOnMissingFilterBean(CrossOriginFilter.class)
	FilterRegistrationBean<CrossOriginFilter> notifyListenCrossOriginFilter(NotifyListenProperties properties,
			ObjectProvider<DispatcherServletPath> dispatcherServletPath,
			ObjectProvider<SecurityFilterProperties> securityFilter, ObjectProvider<RefusalLog> refusals) {
		CorsConfiguration allowed = null;
		if (!properties.getAllowedOrigins().isEmpty()) {
			allowed = new CorsConfiguration();
			allowed.setAllowedOriginPatterns(properties.getAllowedOrigins());
			allowed.setAllowedMethods(List.of("GET", "POST"));
			// Those of the auth request and Last-Event-ID, which EventSource sends when
			// it reconnects.
			allowed.setAllowedHeaders(List.of(CorsConfiguration.ALL));
			allowed.setAllowCredentials(true);
		}
		FilterRegistrationBean<CrossOriginFilter> registration = new FilterRegistrationBean<>(
				new CrossOriginFilter(allowed, refusals.getIfAvailable()));
		List<String> paths = new ArrayList<>(
				List.of(properties.getEndpoint(), PusherController.KEY_PATH, PusherController.AUTH_PATH));
		if (properties.getSse().isEnabled()) {
			paths.add(SseController.PATH + "/*");
		}
		// Mapped below the DispatcherServlet's path (spring.mvc.servlet.path), as the
		// endpoints are.
		DispatcherServletPath servletPath = dispatcherServletPath.getIfAvailable();
		paths.forEach((path) -> registration
			.addUrlPatterns((servletPath != null) ? servletPath.getRelativePath(path) : path));
		int securityOrder = securityFilter.getIfAvailable(SecurityFilterProperties::new).getOrder();
		registration.setOrder(securityOrder - 1);
		return registration;
	}

	/**
	 * Server-Sent Event streams, on the same broker, checks and history as STOMP.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "notify-listen.sse.enabled", matchIfMissing = true)
	static class SseConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SseStreams notifyListenSseStreams(NotifyListenProperties properties, ChannelDestinations destinations,
				ConnectionRegistry connections, ObjectProvider<AbstractBrokerMessageHandler> brokers,
				ObjectProvider<ChannelHistory> history, ObjectProvider<JsonMapper> jsonMapper,
				@Qualifier("notifyListenTaskScheduler") TaskScheduler scheduler) {
			NotifyListenProperties.Sse sse = properties.getSse();
			return new SseStreams(destinations, connections, brokers, history.getIfAvailable(),
					jsonMapper.getIfAvailable(JsonMapper::shared), scheduler, sse.getRetry(), sse.getKeepAlive());
		}

		@Bean
		@ConditionalOnMissingBean
		SseController notifyListenSseController(SseStreams streams, ListenAuthorizer authorizer,
				NotifyListenProperties properties, ObjectProvider<BearerTokenAuthenticator> tokens,
				FilterableFields filterable) {
			return new SseController(streams, authorizer, properties.getSse().getMaxEvents(),
					properties.getLimits().getMaxConnectionsPerUser(), tokens.getIfAvailable(), filterable);
		}

	}

	/**
	 * The contract documents, off unless asked for: they describe every channel, which an
	 * application may not want to show.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("notify-listen.contract.enabled")
	static class ContractConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ContractController notifyListenContractController(NotifyListenProperties properties,
				ChannelDestinations destinations, ObjectProvider<EntityAccessRules> rules,
				ObjectProvider<NotifyListenHandlers> handlers, ObjectProvider<NotifiedActions> notifiedActions,
				ListenAuthorizer authorizer, Environment environment) {
			String title = environment.getProperty("spring.application.name", properties.getKey());
			String version = environment.getProperty("spring.application.version", "unversioned");
			// Read on first request: @NotifyListen methods are registered once every
			// singleton exists, and entities' actions once their persistence unit is.
			return new ContractController(() -> Contract.of(title, version, destinations, properties.getEndpoint(),
					properties.getPresence().isEnabled(), NotifyListenAutoConfiguration.combinedRules(rules),
					handlers.getObject(),
					notifiedActions.orderedStream().flatMap((actions) -> actions.notifiedActions().stream()).toList()),
					properties.getContract().isListenersOnly() ? authorizer : null);
		}

	}

	/**
	 * The server-to-server publish API, off unless asked for: it opens a path that no
	 * login guards.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty("notify-listen.publish.enabled")
	static class PublishConfiguration {

		private static final String PUBLISH_CHAIN = "notifyListenPublishSecurityFilterChain";

		@Bean
		@ConditionalOnMissingBean
		PublishController notifyListenPublishController(Notifier notifier, SubscriptionSigner signer,
				ObjectProvider<JsonMapper> jsonMapper, NotifyListenProperties properties) {
			return new PublishController(notifier, signer, jsonMapper.getIfAvailable(JsonMapper::shared),
					properties.getPublish().getReplayWindow(),
					Math.toIntExact(properties.getPublish().getMaxRequestSize().toBytes()), Clock.systemUTC());
		}

		// The signature is the authentication: no login, no session, no CSRF token on
		// this one path. Ordered first so that the application's own chain never sees
		// these requests.
		@Bean(PUBLISH_CHAIN)
		@Order(Ordered.HIGHEST_PRECEDENCE)
		SecurityFilterChain notifyListenPublishSecurityFilterChain(HttpSecurity http) throws Exception {
			http.securityMatcher(PublishController.PATH)
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
			return http.build();
		}

		// Any SecurityFilterChain bean makes Spring Boot's default chain back off. With
		// this one as the only chain, every other path of the application would have no
		// security at all: fail closed, at startup, naming the property.
		@Bean
		static SmartInitializingSingleton notifyListenPublishNeedsTheApplicationsChain(ListableBeanFactory beans) {
			return () -> {
				List<String> chains = List.of(beans.getBeanNamesForType(SecurityFilterChain.class));
				if (chains.equals(List.of(PUBLISH_CHAIN))) {
					throw new InvalidConfigurationPropertyValueException("notify-listen.publish.enabled", true,
							"It adds a SecurityFilterChain for " + PublishController.PATH + " only, which makes "
									+ "Spring Boot's default chain back off and leaves every other path unprotected. "
									+ "Declare a SecurityFilterChain for the rest of the application");
				}
			};
		}

	}

}
