package io.notifylisten.autoconfigure;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.micrometer.observation.ObservationRegistry;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.internal.log.InMemoryNotificationLog;
import io.notifylisten.internal.log.LocalDelivery;
import io.notifylisten.internal.notify.BrokerNotifier;
import io.notifylisten.internal.presence.ClusterPresence;
import io.notifylisten.internal.notify.TransactionalOutbox;
import io.notifylisten.internal.security.CurrentAuthorities;
import io.notifylisten.internal.security.DefaultEntityAccessPolicy;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.Notifier;
import io.notifylisten.security.EntityAccessPolicy;
import io.notifylisten.security.EntityAccessRules;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.security.access.PermissionEvaluator;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.messaging.web.csrf.XorCsrfChannelInterceptor;
import org.springframework.util.StringUtils;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the core of notify-listen: destinations, subscription signing,
 * connections, entity access and the {@link Notifier}.
 */
@AutoConfiguration(
		beforeName = "org.springframework.boot.websocket.autoconfigure.servlet.WebSocketMessagingAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "notify-listen.enabled", matchIfMissing = true)
@ConditionalOnClass({ WebSocketMessageBrokerConfigurer.class, XorCsrfChannelInterceptor.class })
@EnableConfigurationProperties(NotifyListenProperties.class)
public final class NotifyListenAutoConfiguration {

	private static final Log logger = LogFactory.getLog(NotifyListenAutoConfiguration.class);

	NotifyListenAutoConfiguration(Environment environment) {
		NotifyListenPropertiesValidator.refuseRelayProperties(environment);
	}

	@Bean
	@ConditionalOnMissingBean
	ChannelDestinations notifyListenChannelDestinations(NotifyListenProperties properties) {
		return new ChannelDestinations(properties.getKey());
	}

	@Bean
	@ConditionalOnMissingBean
	SubscriptionSigner notifyListenSubscriptionSigner(NotifyListenProperties properties) {
		String secret = properties.getSecret();
		if (!StringUtils.hasLength(secret)) {
			logger.warn("notify-listen.secret is not set: using a random secret for this run. Subscription "
					+ "signatures will not verify on other nodes or after a restart; set notify-listen.secret "
					+ "(at least " + NotifyListenPropertiesValidator.MIN_SECRET_LENGTH
					+ " characters) before running more than one node.");
			return new SubscriptionSigner(properties.getKey(), randomSecret());
		}
		return new SubscriptionSigner(properties.getKey(), secret);
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionRegistry notifyListenConnectionRegistry() {
		return new ConnectionRegistry();
	}

	@Bean
	@ConditionalOnMissingBean
	EntityAccessPolicy notifyListenEntityAccessPolicy(ObjectProvider<EntityAccessRules> rules,
			ObjectProvider<PermissionEvaluator> permissionEvaluator) {
		return new DefaultEntityAccessPolicy(combinedRules(rules), permissionEvaluator.getIfUnique());
	}

	// Every EntityAccessRules bean, as one: what the policy applies and the contract
	// describes.
	static EntityAccessRules combinedRules(ObjectProvider<EntityAccessRules> rules) {
		return rules.orderedStream().reduce(EntityAccessRules.none(), EntityAccessRules::and);
	}

	@Bean
	FilterableFields notifyListenFilterableFields(ObjectProvider<EntityAccessRules> rules) {
		return FilterableFields.of(combinedRules(rules));
	}

	@Bean
	@ConditionalOnMissingBean
	ListenAuthorizer notifyListenAuthorizer(NotifyListenProperties properties, EntityAccessPolicy entityAccessPolicy,
			ObjectProvider<RoleHierarchy> roleHierarchy, ObjectProvider<UserDetailsService> users,
			@Qualifier("notifyListenAuthoritiesExecutor") ObjectProvider<Executor> reloads) {
		UserDetailsService userDetails = users.getIfUnique();
		CurrentAuthorities currentAuthorities = (userDetails != null) ? new CurrentAuthorities(userDetails,
				properties.getRoleRecheckInterval(), Clock.systemUTC(), reloads.getIfAvailable()) : null;
		ListenAuthorizer authorizer = new ListenAuthorizer(properties.getListenRole(), entityAccessPolicy,
				currentAuthorities);
		roleHierarchy.ifUnique(authorizer::setRoleHierarchy);
		return authorizer;
	}

	@Bean
	@ConditionalOnMissingBean
	Notifier notifyListenNotifier(NotifyListenProperties properties, NotificationLog notificationLog,
			ChannelDestinations destinations, SubscriptionSigner signer, ObjectProvider<JsonMapper> jsonMapper,
			@Qualifier("notifyListenTaskScheduler") ObjectProvider<TaskScheduler> scheduler,
			ObjectProvider<ObservationRegistry> observationRegistry, ObjectProvider<TransactionalOutbox> outbox,
			ObjectProvider<ChannelHistory> history) {
		int updatesPerSecond = properties.getProgress().getMaxUpdatesPerSecond();
		BrokerNotifier.Options options = BrokerNotifier.Options.NONE
			.withMaxPayloadSize(Math.toIntExact(properties.getPayload().getMaxSize().toBytes()),
					jsonMapper.getIfAvailable(JsonMapper::shared))
			.withObservationRegistry(observations(observationRegistry));
		TaskScheduler taskScheduler = scheduler.getIfAvailable();
		if (taskScheduler != null) {
			options = options.withProgressCoalescing(taskScheduler, Duration.ofMillis(1000 / updatesPerSecond));
		}
		ChannelHistory channelHistory = history.getIfAvailable();
		if (channelHistory != null) {
			options = options.withPositions(channelHistory::position);
		}
		TransactionalOutbox transactionalOutbox = outbox.getIfAvailable();
		if (transactionalOutbox != null) {
			options = options.withTransactionalOutbox(transactionalOutbox);
		}
		return new BrokerNotifier(notificationLog, destinations,
				(username) -> destinations.userTopic(signer.userToken(username)), Clock.systemUTC(), options);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "notify-listen.history.enabled", matchIfMissing = true)
	ChannelHistory notifyListenChannelHistory(NotifyListenProperties properties) {
		NotifyListenProperties.History history = properties.getHistory();
		// Several nodes number by the stream's offsets, the same on each node and across
		// restarts.
		String epoch = (properties.getStream().getHost() != null) ? streamName(properties)
				: ChannelHistory.randomEpoch();
		return new ChannelHistory(epoch, history.getSize(), history.getTtl(), history.getMaxChannels(),
				Clock.systemUTC());
	}

	static String streamName(NotifyListenProperties properties) {
		String name = properties.getStream().getName();
		return (name != null) ? name : "notify-listen." + properties.getKey();
	}

	@Bean
	@ConditionalOnMissingBean
	LocalDelivery notifyListenLocalDelivery(ObjectProvider<SimpMessageSendingOperations> brokerMessagingTemplate,
			ChannelDestinations destinations, ObjectProvider<ChannelHistory> history,
			ObjectProvider<ClusterPresence> presence, ObjectProvider<ObservationRegistry> observationRegistry) {
		// The presence writes to the log, which delivers through this: asked for at its
		// first record.
		return new LocalDelivery(SingletonSupplier.of(brokerMessagingTemplate::getObject), destinations,
				history.getIfAvailable(), SingletonSupplier.of(presence::getIfAvailable),
				observations(observationRegistry));
	}

	// Asked for at the first notification, like the broker: a registry's handlers (a
	// tracer and its exporter) need not exist for the notifier to be made.
	private static Supplier<ObservationRegistry> observations(ObjectProvider<ObservationRegistry> registry) {
		return SingletonSupplier.of(() -> registry.getIfAvailable(() -> ObservationRegistry.NOOP));
	}

	@Bean
	@ConditionalOnMissingBean
	NotificationLog notifyListenNotificationLog(NotifyListenProperties properties, LocalDelivery localDelivery) {
		if (properties.getStream().getHost() != null) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.stream.host",
					properties.getStream().getHost(),
					"Several nodes share their notifications through a RabbitMQ "
							+ "stream, whose client is missing: add com.rabbitmq:stream-client (notify-listen-starter "
							+ "brings it)");
		}
		return new InMemoryNotificationLog(localDelivery, Clock.systemUTC());
	}

	@Bean
	UncoveredEntityLogger notifyListenUncoveredEntityLogger(EntityAccessPolicy entityAccessPolicy) {
		return new UncoveredEntityLogger(entityAccessPolicy);
	}

	private static String randomSecret() {
		byte[] bytes = new byte[48];
		new SecureRandom().nextBytes(bytes);
		return Base64.getEncoder().encodeToString(bytes);
	}

}
