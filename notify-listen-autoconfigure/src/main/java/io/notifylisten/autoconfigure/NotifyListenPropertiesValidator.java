package io.notifylisten.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.notifylisten.internal.channel.ChannelDestinations;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.cors.CorsConfiguration;

/**
 * Every check of {@link NotifyListenProperties}, run once they are bound: a bad value
 * stops startup with a message that names the property and the fix. The secret's value is
 * never echoed.
 */
final class NotifyListenPropertiesValidator {

	/**
	 * HMAC-SHA256 is only as strong as its key; 32 characters is its block-size worth of
	 * entropy at best.
	 */
	static final int MIN_SECRET_LENGTH = 32;

	/**
	 * Room for entity, id, action and user or role around a publish request's payload.
	 */
	private static final long PUBLISH_ENVELOPE_SIZE = 1024;

	private static final long MAX_PUBLISH_REQUEST_SIZE = 16L * 1024 * 1024;

	private NotifyListenPropertiesValidator() {
	}

	static void validate(NotifyListenProperties properties) {
		if (!ChannelDestinations.isValidKey(properties.getKey())) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.key", properties.getKey(),
					"The key must be 1 to 64 letters, digits, '_' or '-', because it becomes part of every "
							+ "broker destination");
		}
		String secret = properties.getSecret();
		if (StringUtils.hasLength(secret) && secret.length() < MIN_SECRET_LENGTH) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.secret", "<hidden>",
					"The secret must be at least " + MIN_SECRET_LENGTH + " characters; generate one with "
							+ "'openssl rand -base64 48'");
		}
		if (!StringUtils.hasText(properties.getListenRole())) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.listen-role",
					properties.getListenRole(), "The listen role must name an authority, such as NOTIFY_LISTEN_USER");
		}
		int updatesPerSecond = properties.getProgress().getMaxUpdatesPerSecond();
		if (updatesPerSecond < 1) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.progress.max-updates-per-second",
					updatesPerSecond, "At least one update per second must be allowed");
		}
		NotifyListenProperties.Heartbeat heartbeat = properties.getHeartbeat();
		for (Map.Entry<String, Duration> interval : Map
			.of("outgoing", heartbeat.getOutgoing(), "incoming", heartbeat.getIncoming())
			.entrySet()) {
			if (interval.getValue().isNegative()) {
				throw new InvalidConfigurationPropertyValueException("notify-listen.heartbeat." + interval.getKey(),
						interval.getValue(), "A heart-beat interval must be positive, or 0 to turn it off");
			}
		}
		NotifyListenProperties.History history = properties.getHistory();
		if (history.isEnabled() && (history.getSize() < 1 || history.getMaxChannels() < 1)) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.history.size",
					history.getSize() + "/" + history.getMaxChannels(),
					"History size and max-channels must be at least 1; set notify-listen.history.enabled=false to "
							+ "keep no history");
		}
		properties.getAllowedOrigins().forEach(NotifyListenPropertiesValidator::refuseAnySite);
		validateLimits(properties);
		validatePublish(properties);
		validateStream(properties);
		validatePresence(properties.getPresence());
		validateOutbox(properties.getOutbox());
	}

	private static void validateOutbox(NotifyListenProperties.JdbcOutbox outbox) {
		if (!outbox.isEnabled()) {
			return;
		}
		if (outbox.getSweepInterval().isNegative() || outbox.getSweepInterval().isZero()) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.outbox.sweep-interval",
					outbox.getSweepInterval(), "The sweep interval must be positive");
		}
		// A live node renews its rows once per interval: a shorter lease would let other
		// nodes publish rows it is still publishing.
		if (outbox.getLease().compareTo(outbox.getSweepInterval().multipliedBy(2)) < 0) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.outbox.lease", outbox.getLease(),
					"The lease must be at least twice notify-listen.outbox.sweep-interval (" + outbox.getSweepInterval()
							+ ")");
		}
		if (outbox.getSweepBatchSize() < 1) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.outbox.sweep-batch-size",
					outbox.getSweepBatchSize(), "A sweep must claim at least one row");
		}
	}

	// Decided by Spring's own matching, the same that later checks every request, rather
	// than by reading the pattern: 'http*', 'https://*/' or 'https://*.*' match any site
	// as surely as '*'. A pattern that lets in sites nobody owns (reserved names, RFC
	// 2606) lets in every site.
	private static void refuseAnySite(String pattern) {
		CorsConfiguration configuration = new CorsConfiguration();
		try {
			configuration.setAllowedOriginPatterns(List.of(pattern));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.allowed-origins", pattern,
					"Not an origin pattern: " + ex.getMessage());
		}
		for (String origin : unrelatedOrigins(pattern)) {
			if (configuration.checkOrigin(origin) != null) {
				throw new InvalidConfigurationPropertyValueException("notify-listen.allowed-origins", pattern,
						"It lets in any site (" + origin + " among them). Pages on an allowed origin read "
								+ "/rest/pusher/key with the user's cookies, and with it the CSRF token that guards "
								+ "every POST of the application: list the origins of your pages, such as "
								+ "https://shop.example.com or https://*.example.com");
			}
		}
	}

	// Every scheme a page may have, on the common ports and on any port the pattern
	// names, so that 'http://*:8080' is caught as well.
	private static List<String> unrelatedOrigins(String pattern) {
		Set<String> ports = new LinkedHashSet<>(List.of("", ":80", ":443", ":3000", ":5173", ":8080", ":8443"));
		Matcher number = Pattern.compile("[0-9]{1,5}").matcher(pattern);
		while (number.find()) {
			ports.add(":" + number.group());
		}
		List<String> origins = new ArrayList<>();
		for (String host : List.of("evil.example", "attacker.test", "a.b.c.example")) {
			for (String scheme : List.of("https://", "http://")) {
				ports.forEach((port) -> origins.add(scheme + host + port));
			}
		}
		return origins;
	}

	// The STOMP broker relay was replaced by the stream: its properties would otherwise
	// be ignored in silence, and each node would keep its notifications to itself.
	static void refuseRelayProperties(Environment environment) {
		Map<String, Object> relay = Binder.get(environment)
			.bind("notify-listen.broker.relay", Bindable.mapOf(String.class, Object.class))
			.orElse(Map.of());
		if (!relay.isEmpty()) {
			throw new InvalidConfigurationPropertyValueException(
					"notify-listen.broker.relay." + relay.keySet().iterator().next(), "<not shown>",
					"notify-listen.broker.relay.* is no longer supported: several nodes share notifications through "
							+ "a RabbitMQ stream. Set notify-listen.stream.host, port (5552), username, password and "
							+ "virtual-host instead, and enable the rabbitmq_stream plugin");
		}
	}

	private static void validateLimits(NotifyListenProperties properties) {
		if (properties.getLimits().getSendBufferSizeLimit().toBytes() < 1) {
			// Nothing could wait for a client: every connection would be cut off at its
			// first message.
			throw new InvalidConfigurationPropertyValueException("notify-listen.limits.send-buffer-size-limit",
					properties.getLimits().getSendBufferSizeLimit(),
					"At least one byte must be allowed to wait for a client (default 512KB)");
		}
		DataSize conflationThreshold = properties.getLimits().getConflationThreshold();
		if (conflationThreshold != null && conflationThreshold.isNegative()) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.limits.conflation-threshold",
					conflationThreshold, "Must not be negative; set it to the send buffer size limit or more for "
							+ "no conflation (default half of notify-listen.limits.send-buffer-size-limit)");
		}
		requireThreads("notify-listen.broker.inbound-threads", properties.getBroker().getInboundThreads());
		requireThreads("notify-listen.broker.outbound-threads", properties.getBroker().getOutboundThreads());
	}

	private static void validatePublish(NotifyListenProperties properties) {
		if (!properties.getPublish().isEnabled()) {
			return;
		}
		long maxRequestSize = properties.getPublish().getMaxRequestSize().toBytes();
		long smallest = properties.getPayload().getMaxSize().toBytes() + PUBLISH_ENVELOPE_SIZE;
		if (maxRequestSize < smallest || maxRequestSize > MAX_PUBLISH_REQUEST_SIZE) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.publish.max-request-size",
					properties.getPublish().getMaxRequestSize(),
					"It must leave room for the largest payload (notify-listen.payload.max-size) and 1KB for "
							+ "the fields around it, so at least " + smallest + "B, and be at most 16MB, since each "
							+ "request is held in memory whole");
		}
	}

	private static void requireThreads(String property, int threads) {
		if (threads < 1) {
			throw new InvalidConfigurationPropertyValueException(property, threads, "At least one thread is needed");
		}
	}

	// Only where a stream is used: without a host, these settings have no effect.
	private static void validateStream(NotifyListenProperties properties) {
		NotifyListenProperties.Stream stream = properties.getStream();
		if (stream.getHost() == null) {
			return;
		}
		if (!StringUtils.hasLength(properties.getSecret())) {
			// A random secret per node: every node would drop the others' records as
			// forged.
			throw new InvalidConfigurationPropertyValueException("notify-listen.secret", "<not set>",
					"Nodes that share a stream sign its records with the secret: set notify-listen.secret, the "
							+ "same on every node (at least " + MIN_SECRET_LENGTH + " characters; generate one with "
							+ "'openssl rand -base64 48')");
		}
		if (stream.getPort() < 1 || stream.getPort() > 65535) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.stream.port", stream.getPort(),
					"The port must be between 1 and 65535; RabbitMQ's stream plugin listens on 5552");
		}
		Duration ttl = properties.getHistory().getTtl();
		if (stream.getMaxAge().compareTo(ttl) < 0) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.stream.max-age", stream.getMaxAge(),
					"The stream must keep notifications at least as long as notify-listen.history.ttl (" + ttl
							+ "): a node that starts rebuilds its history from it");
		}
		if (stream.getConfirmTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.stream.confirm-timeout",
					stream.getConfirmTimeout(), "The confirm timeout must be at least 1s, as the stream client's");
		}
		if (stream.getRecoveryInterval().isNegative() || stream.getRecoveryInterval().isZero()) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.stream.recovery-interval",
					stream.getRecoveryInterval(), "The recovery interval must be positive");
		}
		if (stream.getOutbox().getMaxSize() < 1) {
			throw new InvalidConfigurationPropertyValueException("notify-listen.stream.outbox.max-size",
					stream.getOutbox().getMaxSize(), "The outbox must hold at least one notification");
		}
	}

	private static void validatePresence(NotifyListenProperties.Presence presence) {
		if (!presence.isEnabled()) {
			return;
		}
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
	}

}
