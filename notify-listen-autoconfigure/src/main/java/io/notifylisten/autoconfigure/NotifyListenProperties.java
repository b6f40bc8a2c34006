package io.notifylisten.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for notify-listen.
 */
@ConfigurationProperties("notify-listen")
public class NotifyListenProperties implements InitializingBean {

	/**
	 * Whether to enable notify-listen: its endpoint, broker, notifier and REST endpoints.
	 */
	private boolean enabled = true;

	/**
	 * Public application key. Clients see it, and it namespaces every broker destination,
	 * so two applications or environments sharing a broker must use different keys. 1 to
	 * 64 letters, digits, '_' or '-'.
	 */
	private String key = "notify-listen";

	/**
	 * Secret that signs subscriptions; never sent to clients or logged. At least 32
	 * characters. When unset, a random secret is used for this run only, which cannot
	 * work across nodes.
	 */
	private @Nullable String secret;

	/**
	 * Path of the STOMP-over-WebSocket endpoint.
	 */
	private String endpoint = "/notify-listen/ws";

	/**
	 * Authority a user must hold to listen.
	 */
	private String listenRole = "NOTIFY_LISTEN_USER";

	/**
	 * Origin patterns allowed to open the WebSocket, such as 'https://*.example.com';
	 * pages there may also read the settings (with the CSRF token), signatures and event
	 * streams with their cookies. Empty allows the application's own origin only. A
	 * pattern that matches any site ('*', 'http*', 'https://*.*') is refused at startup.
	 */
	private List<String> allowedOrigins = new ArrayList<>();

	/**
	 * How long a user's authorities, reloaded through the application's
	 * UserDetailsService, are trusted before they are reloaded in the background; a
	 * connection's deliveries wait for a reload (off the delivering threads) only once
	 * they are twice as old. 0 reloads for every message, on the delivering thread.
	 */
	private Duration roleRecheckInterval = Duration.ofSeconds(5);

	/**
	 * Whether SUBSCRIBE must carry a signature from /rest/pusher/auth in its 'auth'
	 * header. A signature that is present is always verified.
	 */
	private boolean requireSignature = true;

	private final Heartbeat heartbeat = new Heartbeat();

	private final Csrf csrf = new Csrf();

	private final Broker broker = new Broker();

	private final Limits limits = new Limits();

	private final History history = new History();

	private final Payload payload = new Payload();

	private final Progress progress = new Progress();

	private final Publish publish = new Publish();

	private final Sse sse = new Sse();

	private final Stream stream = new Stream();

	private final Presence presence = new Presence();

	private final Contract contract = new Contract();

	private final JdbcOutbox outbox = new JdbcOutbox();

	public String getKey() {
		return this.key;
	}

	public void setKey(String key) {
		this.key = key;
	}

	public @Nullable String getSecret() {
		return this.secret;
	}

	public void setSecret(@Nullable String secret) {
		this.secret = secret;
	}

	public String getEndpoint() {
		return this.endpoint;
	}

	public void setEndpoint(String endpoint) {
		this.endpoint = endpoint;
	}

	public String getListenRole() {
		return this.listenRole;
	}

	public void setListenRole(String listenRole) {
		this.listenRole = listenRole;
	}

	public List<String> getAllowedOrigins() {
		return this.allowedOrigins;
	}

	public void setAllowedOrigins(List<String> allowedOrigins) {
		this.allowedOrigins = allowedOrigins;
	}

	public Duration getRoleRecheckInterval() {
		return this.roleRecheckInterval;
	}

	public void setRoleRecheckInterval(Duration roleRecheckInterval) {
		this.roleRecheckInterval = roleRecheckInterval;
	}

	public boolean isRequireSignature() {
		return this.requireSignature;
	}

	public void setRequireSignature(boolean requireSignature) {
		this.requireSignature = requireSignature;
	}

	/**
	 * Check the bound values: a bad one stops startup with a message that names the
	 * property and the fix.
	 */
	@Override
	public void afterPropertiesSet() {
		NotifyListenPropertiesValidator.validate(this);
	}

	public Heartbeat getHeartbeat() {
		return this.heartbeat;
	}

	public Csrf getCsrf() {
		return this.csrf;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Broker getBroker() {
		return this.broker;
	}

	public Limits getLimits() {
		return this.limits;
	}

	public Stream getStream() {
		return this.stream;
	}

	public Presence getPresence() {
		return this.presence;
	}

	public History getHistory() {
		return this.history;
	}

	public Payload getPayload() {
		return this.payload;
	}

	public Progress getProgress() {
		return this.progress;
	}

	public Publish getPublish() {
		return this.publish;
	}

	public Sse getSse() {
		return this.sse;
	}

	public JdbcOutbox getOutbox() {
		return this.outbox;
	}

	public Contract getContract() {
		return this.contract;
	}

	/**
	 * What pages receive, written down for tools: /notify-listen/asyncapi.json and
	 * /notify-listen/contract.d.ts.
	 */
	public static class Contract {

		/**
		 * Whether to serve the AsyncAPI document and the TypeScript declarations of every
		 * channel and message. The application's security decides who may reach them.
		 */
		private boolean enabled;

		/**
		 * Whether only users who hold the listen role may read them: they show every
		 * channel and the application's version. When false, anyone the application's
		 * security lets through may.
		 */
		private boolean listenersOnly = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isListenersOnly() {
			return this.listenersOnly;
		}

		public void setListenersOnly(boolean listenersOnly) {
			this.listenersOnly = listenersOnly;
		}

	}

	/**
	 * STOMP heart-beats, negotiated with each client at CONNECT.
	 */
	public static class Heartbeat {

		/**
		 * How often, at least, the server writes to a client that asks for heart-beats: a
		 * heart-beat goes when nothing else did. 0 disables them.
		 */
		private Duration outgoing = Duration.ofSeconds(10);

		/**
		 * How often the server expects heart-beats from clients; a silent client is
		 * disconnected after about three times this. 0 disables the check.
		 */
		private Duration incoming = Duration.ofSeconds(10);

		public Duration getOutgoing() {
			return this.outgoing;
		}

		public void setOutgoing(Duration outgoing) {
			this.outgoing = outgoing;
		}

		public Duration getIncoming() {
			return this.incoming;
		}

		public void setIncoming(Duration incoming) {
			this.incoming = incoming;
		}

	}

	/**
	 * CSRF protection of the STOMP CONNECT frame.
	 */
	public static class Csrf {

		/**
		 * Whether CONNECT must carry the HTTP session's CSRF token. Turn off only for
		 * applications that do not use Spring Security's CSRF protection, and keep
		 * allowed-origins tight then.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Server-Sent Events at /notify-listen/sse/{entity}/{id}, for networks where
	 * WebSocket fails.
	 */
	public static class Sse {

		/**
		 * Whether to serve Server-Sent Event streams.
		 */
		private boolean enabled = true;

		/**
		 * How long a browser should wait before reconnecting a dropped stream (the
		 * 'retry:' hint).
		 */
		private Duration retry = Duration.ofSeconds(3);

		/**
		 * How often a comment is sent on a quiet stream, so that proxies keep it open and
		 * a dead one is noticed.
		 */
		private Duration keepAlive = Duration.ofSeconds(15);

		/**
		 * Most events (actions) one stream may ask for.
		 */
		private int maxEvents = 20;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getRetry() {
			return this.retry;
		}

		public void setRetry(Duration retry) {
			this.retry = retry;
		}

		public Duration getKeepAlive() {
			return this.keepAlive;
		}

		public void setKeepAlive(Duration keepAlive) {
			this.keepAlive = keepAlive;
		}

		public int getMaxEvents() {
			return this.maxEvents;
		}

		public void setMaxEvents(int maxEvents) {
			this.maxEvents = maxEvents;
		}

	}

	/**
	 * The server-to-server publish API, POST /rest/pusher/notify.
	 */
	public static class Publish {

		/**
		 * Whether to accept notifications from other services, signed with the secret.
		 * Also adds a security filter chain for that one path, which makes Spring Boot's
		 * default chain back off.
		 */
		private boolean enabled;

		/**
		 * How far a request's timestamp may be from the server's clock, ahead or behind;
		 * a signature is accepted once, and remembered until its timestamp is this far in
		 * the past.
		 */
		private Duration replayWindow = Duration.ofMinutes(5);

		/**
		 * Largest request body accepted; a larger one is refused with 413 without being
		 * read. At least notify-listen.payload.max-size plus 1KB for the fields around
		 * the payload.
		 */
		private DataSize maxRequestSize = DataSize.ofKilobytes(64);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getReplayWindow() {
			return this.replayWindow;
		}

		public void setReplayWindow(Duration replayWindow) {
			this.replayWindow = replayWindow;
		}

		public DataSize getMaxRequestSize() {
			return this.maxRequestSize;
		}

		public void setMaxRequestSize(DataSize maxRequestSize) {
			this.maxRequestSize = maxRequestSize;
		}

	}

	/**
	 * The values a message may carry.
	 */
	public static class Payload {

		/**
		 * Largest payload a notification may carry, measured as JSON.
		 */
		private DataSize maxSize = DataSize.ofKilobytes(4);

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

	}

	/**
	 * Progress reports of long-running work.
	 */
	public static class Progress {

		/**
		 * Most progress updates per second for one piece of work; the newest update
		 * always arrives.
		 */
		private int maxUpdatesPerSecond = 10;

		public int getMaxUpdatesPerSecond() {
			return this.maxUpdatesPerSecond;
		}

		public void setMaxUpdatesPerSecond(int maxUpdatesPerSecond) {
			this.maxUpdatesPerSecond = maxUpdatesPerSecond;
		}

	}

	/**
	 * Presence: who is looking at an object now, on every node.
	 */
	public static class Presence {

		/**
		 * Whether pages may subscribe to an object's presence.
		 */
		private boolean enabled = true;

		/**
		 * Most members shown to the pages present on one object; beyond it they see only
		 * the count.
		 */
		private int maxMembers = 100;

		/**
		 * How long a node may go unheard before its members leave on the other nodes, as
		 * after a crash. Each node tells the others its members every third of this time.
		 */
		private Duration nodeTimeout = Duration.ofSeconds(30);

		/**
		 * How long joins and leaves gather before they go to the other nodes and pages as
		 * one message. Longer sends fewer messages when many join at once.
		 */
		private Duration publishInterval = Duration.ofMillis(50);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxMembers() {
			return this.maxMembers;
		}

		public void setMaxMembers(int maxMembers) {
			this.maxMembers = maxMembers;
		}

		public Duration getNodeTimeout() {
			return this.nodeTimeout;
		}

		public void setNodeTimeout(Duration nodeTimeout) {
			this.nodeTimeout = nodeTimeout;
		}

		public Duration getPublishInterval() {
			return this.publishInterval;
		}

		public void setPublishInterval(Duration publishInterval) {
			this.publishInterval = publishInterval;
		}

	}

	/**
	 * Recent messages kept per channel, so that a client that reconnects gets what it
	 * missed.
	 */
	public static class History {

		/**
		 * Whether to number messages and keep recent ones for clients that reconnect.
		 */
		private boolean enabled = true;

		/**
		 * Most messages kept per channel.
		 */
		private int size = 50;

		/**
		 * How long a message is kept.
		 */
		private Duration ttl = Duration.ofMinutes(2);

		/**
		 * Most channels kept; the least recently notified are forgotten first.
		 */
		private int maxChannels = 10_000;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getSize() {
			return this.size;
		}

		public void setSize(int size) {
			this.size = size;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public int getMaxChannels() {
			return this.maxChannels;
		}

		public void setMaxChannels(int maxChannels) {
			this.maxChannels = maxChannels;
		}

	}

	/**
	 * Limits on what one client may do. Going past any of them ends the connection with
	 * an ERROR frame that names the limit.
	 */
	public static class Limits {

		/**
		 * Largest STOMP frame a client may send.
		 */
		private DataSize maxFrameSize = DataSize.ofKilobytes(16);

		/**
		 * Most headers a client frame may carry.
		 */
		private int maxHeaders = 32;

		/**
		 * Longest destination a client may name.
		 */
		private int maxDestinationLength = 256;

		/**
		 * Most subscriptions one connection may hold.
		 */
		private int maxSubscriptionsPerConnection = 200;

		/**
		 * Most connections one user may hold open on one node.
		 */
		private int maxConnectionsPerUser = 20;

		/**
		 * Most frames per second a connection may send, heart-beats excluded.
		 */
		private int maxInboundFramesPerSecond = 50;

		/**
		 * How long a new WebSocket may take to send CONNECT.
		 */
		private Duration timeToFirstConnect = Duration.ofSeconds(10);

		/**
		 * Longest one send to a client may take; a client that stops reading is cut off
		 * after it.
		 */
		private Duration sendTimeLimit = Duration.ofSeconds(10);

		/**
		 * Most data buffered for one client that reads slowly before it is cut off.
		 */
		private DataSize sendBufferSizeLimit = DataSize.ofKilobytes(512);

		/**
		 * Data buffered for one client over which it gets only the latest notification of
		 * each channel (for a type listener, of each object and action), each telling how
		 * many it replaced, until it has caught up. By default half the send buffer size
		 * limit; at or above that limit, never.
		 */
		private @Nullable DataSize conflationThreshold;

		public DataSize getMaxFrameSize() {
			return this.maxFrameSize;
		}

		public void setMaxFrameSize(DataSize maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
		}

		public int getMaxHeaders() {
			return this.maxHeaders;
		}

		public void setMaxHeaders(int maxHeaders) {
			this.maxHeaders = maxHeaders;
		}

		public int getMaxDestinationLength() {
			return this.maxDestinationLength;
		}

		public void setMaxDestinationLength(int maxDestinationLength) {
			this.maxDestinationLength = maxDestinationLength;
		}

		public int getMaxSubscriptionsPerConnection() {
			return this.maxSubscriptionsPerConnection;
		}

		public void setMaxSubscriptionsPerConnection(int maxSubscriptionsPerConnection) {
			this.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection;
		}

		public int getMaxConnectionsPerUser() {
			return this.maxConnectionsPerUser;
		}

		public void setMaxConnectionsPerUser(int maxConnectionsPerUser) {
			this.maxConnectionsPerUser = maxConnectionsPerUser;
		}

		public int getMaxInboundFramesPerSecond() {
			return this.maxInboundFramesPerSecond;
		}

		public void setMaxInboundFramesPerSecond(int maxInboundFramesPerSecond) {
			this.maxInboundFramesPerSecond = maxInboundFramesPerSecond;
		}

		public Duration getTimeToFirstConnect() {
			return this.timeToFirstConnect;
		}

		public void setTimeToFirstConnect(Duration timeToFirstConnect) {
			this.timeToFirstConnect = timeToFirstConnect;
		}

		public Duration getSendTimeLimit() {
			return this.sendTimeLimit;
		}

		public void setSendTimeLimit(Duration sendTimeLimit) {
			this.sendTimeLimit = sendTimeLimit;
		}

		public DataSize getSendBufferSizeLimit() {
			return this.sendBufferSizeLimit;
		}

		public void setSendBufferSizeLimit(DataSize sendBufferSizeLimit) {
			this.sendBufferSizeLimit = sendBufferSizeLimit;
		}

		public @Nullable DataSize getConflationThreshold() {
			return this.conflationThreshold;
		}

		public void setConflationThreshold(@Nullable DataSize conflationThreshold) {
			this.conflationThreshold = conflationThreshold;
		}

		/**
		 * Return the conflation threshold in bytes, half the send buffer size limit
		 * unless set.
		 * @return the threshold
		 */
		public long conflationThresholdBytes() {
			DataSize threshold = this.conflationThreshold;
			return (threshold != null) ? threshold.toBytes() : this.sendBufferSizeLimit.toBytes() / 2;
		}

	}

	/**
	 * How the embedded broker fans notifications out to this node's connections.
	 */
	public static class Broker {

		/**
		 * Threads that hand messages to the connections. By default two per processor, as
		 * Spring's own channel pools.
		 */
		private int outboundThreads = 2 * Runtime.getRuntime().availableProcessors();

		/**
		 * Threads that take the frames clients send (CONNECT, SUBSCRIBE, UNSUBSCRIBE). By
		 * default two per processor.
		 */
		private int inboundThreads = 2 * Runtime.getRuntime().availableProcessors();

		/**
		 * Whether the embedded broker's channel notifications go straight to the
		 * subscribed connections, encoded once per notification, instead of as one Spring
		 * message per subscriber through the client outbound channel. Off by itself when
		 * the application has an interceptor of its own on that channel.
		 */
		private boolean directFanOut = true;

		public boolean isDirectFanOut() {
			return this.directFanOut;
		}

		public void setDirectFanOut(boolean directFanOut) {
			this.directFanOut = directFanOut;
		}

		public int getOutboundThreads() {
			return this.outboundThreads;
		}

		public void setOutboundThreads(int outboundThreads) {
			this.outboundThreads = outboundThreads;
		}

		public int getInboundThreads() {
			return this.inboundThreads;
		}

		public void setInboundThreads(int inboundThreads) {
			this.inboundThreads = inboundThreads;
		}

	}

	/**
	 * The notification log shared by several nodes: a RabbitMQ stream. Setting the host
	 * switches every node from the in-memory log to the stream.
	 */
	public static class Stream {

		/**
		 * Host of the RabbitMQ node with the stream plugin. When unset, notifications
		 * stay on this node. Every connection goes to this address, so a load balancer in
		 * front of a cluster works as well as a single broker.
		 */
		private @Nullable String host;

		/**
		 * Port of RabbitMQ's stream plugin.
		 */
		private int port = 5552;

		/**
		 * Login on the broker.
		 */
		private String username = "guest";

		/**
		 * Password on the broker; never logged.
		 */
		private String password = "guest";

		/**
		 * Virtual host on the broker.
		 */
		private String virtualHost = "/";

		/**
		 * Name of the stream. By default "notify-listen." followed by the key, so that
		 * two applications or environments with their own keys never share a log.
		 */
		private @Nullable String name;

		/**
		 * How long the stream keeps notifications; at least notify-listen.history.ttl,
		 * because a node that starts rebuilds its history from it.
		 */
		private Duration maxAge = Duration.ofHours(1);

		/**
		 * Most bytes the stream keeps; the oldest segments go first.
		 */
		private DataSize maxSize = DataSize.ofMegabytes(500);

		/**
		 * How long notify waits for the broker to confirm a notification before it holds
		 * it in the outbox and returns.
		 */
		private Duration confirmTimeout = Duration.ofSeconds(5);

		/**
		 * Whether notify waits for the broker to confirm a notification while the broker
		 * is connected. Off, notify returns once the notification is in the node's
		 * outbox, so that one thread notifying in a loop is not held up by a round trip
		 * each, but a node that crashes loses what its outbox held: at most the last 1024
		 * notifications, those the broker had not confirmed yet.
		 */
		private boolean awaitConfirmation = true;

		/**
		 * How often a lost broker connection is tried again.
		 */
		private Duration recoveryInterval = Duration.ofSeconds(5);

		private final Outbox outbox = new Outbox();

		public @Nullable String getHost() {
			return this.host;
		}

		public void setHost(@Nullable String host) {
			this.host = host;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public String getUsername() {
			return this.username;
		}

		public void setUsername(String username) {
			this.username = username;
		}

		public String getPassword() {
			return this.password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

		public String getVirtualHost() {
			return this.virtualHost;
		}

		public void setVirtualHost(String virtualHost) {
			this.virtualHost = virtualHost;
		}

		public @Nullable String getName() {
			return this.name;
		}

		public void setName(@Nullable String name) {
			this.name = name;
		}

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

		public Duration getConfirmTimeout() {
			return this.confirmTimeout;
		}

		public void setConfirmTimeout(Duration confirmTimeout) {
			this.confirmTimeout = confirmTimeout;
		}

		public boolean isAwaitConfirmation() {
			return this.awaitConfirmation;
		}

		public void setAwaitConfirmation(boolean awaitConfirmation) {
			this.awaitConfirmation = awaitConfirmation;
		}

		public Duration getRecoveryInterval() {
			return this.recoveryInterval;
		}

		public void setRecoveryInterval(Duration recoveryInterval) {
			this.recoveryInterval = recoveryInterval;
		}

		public Outbox getOutbox() {
			return this.outbox;
		}

		@Override
		public String toString() {
			// The password stays out of logs and failure analyses.
			return "Stream[host=" + this.host + ", port=" + this.port + ", virtualHost=" + this.virtualHost + ", name="
					+ this.name + "]";
		}

	}

	/**
	 * Notifications accepted while the broker cannot take them, published in order when
	 * it is back. Beyond either bound notify throws instead of accepting more.
	 */
	public static class Outbox {

		/**
		 * Most notifications held for the broker.
		 */
		private int maxSize = 10_000;

		/**
		 * Longest a held notification may wait; once the oldest has waited this long, no
		 * more are accepted until it is published.
		 */
		private Duration maxAge = Duration.ofMinutes(10);

		public int getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(int maxSize) {
			this.maxSize = maxSize;
		}

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
		}

	}

	/**
	 * The transactional outbox: a notification made inside a transaction on the
	 * application's DataSource is written to a table in that transaction and published
	 * after commit, so that a node that crashes loses none of what was committed.
	 */
	public static class JdbcOutbox {

		/**
		 * Whether to write notifications made inside a transaction to the outbox table.
		 * Needs a DataSource; notifications made outside a transaction are sent as
		 * without it.
		 */
		private boolean enabled;

		/**
		 * How long a row waits for the node that wrote it before any node may publish it;
		 * that node renews it every sweep-interval while it lives. At least twice
		 * sweep-interval.
		 */
		private Duration lease = Duration.ofSeconds(30);

		/**
		 * How often each node renews its rows' lease and publishes rows whose lease ran
		 * out.
		 */
		private Duration sweepInterval = Duration.ofSeconds(5);

		/**
		 * Most rows one sweep claims at once.
		 */
		private int sweepBatchSize = 500;

		private final Schema jdbc = new Schema();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getLease() {
			return this.lease;
		}

		public void setLease(Duration lease) {
			this.lease = lease;
		}

		public Duration getSweepInterval() {
			return this.sweepInterval;
		}

		public void setSweepInterval(Duration sweepInterval) {
			this.sweepInterval = sweepInterval;
		}

		public int getSweepBatchSize() {
			return this.sweepBatchSize;
		}

		public void setSweepBatchSize(int sweepBatchSize) {
			this.sweepBatchSize = sweepBatchSize;
		}

		public Schema getJdbc() {
			return this.jdbc;
		}

	}

	/**
	 * How the outbox table is created, as Spring Session JDBC and Spring Batch do it.
	 */
	public static class Schema {

		/**
		 * When to create the outbox table at startup: for an embedded database only,
		 * always, or never (Flyway, Liquibase or a DBA create it from the same script).
		 */
		private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

		/**
		 * Script that creates the outbox table; @@platform@@ is replaced by the platform.
		 * The jar holds schema-postgresql.sql, schema-h2.sql and schema.sql (standard
		 * SQL, used for any other database) under io/notifylisten/outbox/.
		 */
		private String schema = "classpath:io/notifylisten/outbox/schema-@@platform@@.sql";

		/**
		 * Platform in the script's name, such as postgresql or h2; detected from the
		 * DataSource when unset.
		 */
		private @Nullable String platform;

		public InitializeSchema getInitializeSchema() {
			return this.initializeSchema;
		}

		public void setInitializeSchema(InitializeSchema initializeSchema) {
			this.initializeSchema = initializeSchema;
		}

		public String getSchema() {
			return this.schema;
		}

		public void setSchema(String schema) {
			this.schema = schema;
		}

		public @Nullable String getPlatform() {
			return this.platform;
		}

		public void setPlatform(@Nullable String platform) {
			this.platform = platform;
		}

	}

	/**
	 * When the outbox table is created at startup.
	 */
	public enum InitializeSchema {

		/** Only for an embedded database, such as H2 in memory. */
		EMBEDDED,

		/**
		 * Whatever the database; the scripts create the table only where it is missing.
		 */
		ALWAYS,

		/** Never: the table comes from the application's migrations. */
		NEVER

	}

}
