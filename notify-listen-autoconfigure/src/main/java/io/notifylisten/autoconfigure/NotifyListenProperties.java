package io.notifylisten.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

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
	 * Whether SUBSCRIBE must carry a signature from /rest/pusher/auth in its 'auth' header. A
	 * signature that is present is always verified.
	 */
	private boolean requireSignature = true;

	private final Heartbeat heartbeat = new Heartbeat();

	private final Csrf csrf = new Csrf();

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

}
