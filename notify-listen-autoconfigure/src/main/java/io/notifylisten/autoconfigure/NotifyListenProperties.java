package io.notifylisten.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for notify-listen.
 */
@ConfigurationProperties("notify-listen")
public class NotifyListenProperties {

	/**
	 * Public application key. Clients see it, and it namespaces every broker destination, so two
	 * applications or environments sharing a broker must use different keys. 1 to 64 letters,
	 * digits, '_' or '-'.
	 */
	private String key = "notify-listen";

	/**
	 * Secret that signs subscriptions; never sent to clients or logged. At least 32 characters.
	 * When unset, a random secret is used for this run only, which cannot work across nodes.
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
	 * Origin patterns allowed to open the WebSocket, such as 'https://*.example.com'. Empty allows
	 * the application's own origin only.
	 */
	private List<String> allowedOrigins = new ArrayList<>();

	/**
	 * How long a user's authorities, reloaded through the application's UserDetailsService, are
	 * trusted before they are reloaded in the background; a connection's deliveries wait for a
	 * reload (off the delivering threads) only once they are twice as old. 0 reloads for every
	 * message, on the delivering thread.
	 */
	private Duration roleRecheckInterval = Duration.ofSeconds(5);

	/**
	 * Whether SUBSCRIBE must carry a signature from /rest/pusher/auth in its 'auth' header. A
	 * signature that is present is always verified.
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

	public Heartbeat getHeartbeat() {
		return this.heartbeat;
	}

	public Csrf getCsrf() {
		return this.csrf;
	}

	public Broker getBroker() {
		return this.broker;
	}

	public Limits getLimits() {
		return this.limits;
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

	/**
	 * STOMP heart-beats, negotiated with each client at CONNECT.
	 */
	public static class Heartbeat {

		/**
		 * How often the server sends heart-beats. 0 disables them.
		 */
		private Duration outgoing = Duration.ofSeconds(10);

		/**
		 * How often the server expects heart-beats from clients; a silent client is disconnected
		 * after about three times this. 0 disables the check.
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
		 * Whether CONNECT must carry the HTTP session's CSRF token. Turn off only for applications
		 * that do not use Spring Security's CSRF protection, and keep allowed-origins tight then.
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
	 * Server-Sent Events at /notify-listen/sse/{entity}/{id}, for networks where WebSocket fails.
	 */
	public static class Sse {

		/**
		 * Whether to serve Server-Sent Event streams.
		 */
		private boolean enabled = true;

		/**
		 * How long a browser should wait before reconnecting a dropped stream (the 'retry:' hint).
		 */
		private Duration retry = Duration.ofSeconds(3);

		/**
		 * How often a comment is sent on a quiet stream, so that proxies keep it open and a dead one
		 * is noticed.
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
		 * Whether to accept notifications from other services, signed with the secret. Also adds a
		 * security filter chain for that one path, which makes Spring Boot's default chain back off.
		 */
		private boolean enabled;

		/**
		 * How far a request's timestamp may be from the server's clock; a signature is accepted once
		 * within it.
		 */
		private Duration replayWindow = Duration.ofMinutes(5);

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
		 * Most progress updates per second for one piece of work; the newest update always arrives.
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
	 * Recent messages kept per channel, so that a client that reconnects gets what it missed.
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
	 * Limits on what one client may do. Going past any of them ends the connection with an ERROR
	 * frame that names the limit.
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
		 * Longest one send to a client may take; a client that stops reading is cut off after it.
		 */
		private Duration sendTimeLimit = Duration.ofSeconds(10);

		/**
		 * Most data buffered for one client that reads slowly before it is cut off.
		 */
		private DataSize sendBufferSizeLimit = DataSize.ofKilobytes(512);

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

	}

	/**
	 * Where notifications are fanned out: the embedded broker, or an external STOMP broker.
	 */
	public static class Broker {

		/**
		 * Threads that hand messages to the connections. By default two per processor, as
		 * Spring's own channel pools.
		 */
		private int outboundThreads = 2 * Runtime.getRuntime().availableProcessors();

		/**
		 * Threads that take the frames clients send (CONNECT, SUBSCRIBE, UNSUBSCRIBE). By default
		 * two per processor.
		 */
		private int inboundThreads = 2 * Runtime.getRuntime().availableProcessors();

		/**
		 * Whether the embedded broker's channel notifications go straight to the subscribed
		 * connections, encoded once per notification, instead of as one Spring message per
		 * subscriber through the client outbound channel. Off by itself when the application has
		 * an interceptor of its own on that channel.
		 */
		private boolean directFanOut = true;

		private final Relay relay = new Relay();

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

		public Relay getRelay() {
			return this.relay;
		}

	}

	/**
	 * External STOMP broker (RabbitMQ with its STOMP plugin) shared by every node. Setting the host
	 * switches from the embedded broker to the relay.
	 */
	public static class Relay {

		/**
		 * Host of the STOMP broker. When unset, the embedded broker is used.
		 */
		private @Nullable String host;

		/**
		 * STOMP port of the broker.
		 */
		private int port = 61613;

		/**
		 * Login for the broker connections of this node and its clients.
		 */
		private String login = "guest";

		/**
		 * Passcode for the broker connections; never logged.
		 */
		private String passcode = "guest";

		/**
		 * Virtual host to use on the broker. When unset, the broker's default.
		 */
		private @Nullable String virtualHost;

		/**
		 * How often this node sends heart-beats on its own broker connection.
		 */
		private Duration heartbeatSend = Duration.ofSeconds(10);

		/**
		 * How often this node expects heart-beats from the broker on its own connection.
		 */
		private Duration heartbeatReceive = Duration.ofSeconds(10);

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

		public String getLogin() {
			return this.login;
		}

		public void setLogin(String login) {
			this.login = login;
		}

		public String getPasscode() {
			return this.passcode;
		}

		public void setPasscode(String passcode) {
			this.passcode = passcode;
		}

		public @Nullable String getVirtualHost() {
			return this.virtualHost;
		}

		public void setVirtualHost(@Nullable String virtualHost) {
			this.virtualHost = virtualHost;
		}

		public Duration getHeartbeatSend() {
			return this.heartbeatSend;
		}

		public void setHeartbeatSend(Duration heartbeatSend) {
			this.heartbeatSend = heartbeatSend;
		}

		public Duration getHeartbeatReceive() {
			return this.heartbeatReceive;
		}

		public void setHeartbeatReceive(Duration heartbeatReceive) {
			this.heartbeatReceive = heartbeatReceive;
		}

		@Override
		public String toString() {
			// The passcode stays out of logs and failure analyses.
			return "Relay[host=" + this.host + ", port=" + this.port + ", virtualHost=" + this.virtualHost + "]";
		}

	}

}
