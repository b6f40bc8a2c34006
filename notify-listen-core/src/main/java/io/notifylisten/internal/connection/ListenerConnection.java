package io.notifylisten.internal.connection;

import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;

/**
 * One open STOMP connection that passed CONNECT, with the little state its limits need.
 */
public final class ListenerConnection {

	private static final Object[] NO_ATTACHMENTS = {};

	private final String sessionId;

	private final String connectionId;

	private volatile Authentication user;

	private final @Nullable String httpSessionId;

	private final AtomicInteger subscriptions = new AtomicInteger();

	/**
	 * Keys and values in turn. An array read by identity rather than a map: one or two
	 * keys exist, and the outbound threads ask for one on every delivery, where a hashed
	 * lookup was a cache miss more per connection.
	 */
	private volatile Object[] attachments = NO_ATTACHMENTS;

	private volatile boolean tokenAuthenticated;

	/**
	 * In epoch milliseconds; none for a connection without a token or whose token never
	 * expires.
	 */
	private volatile long tokenExpiresAtMillis = Long.MAX_VALUE;

	private long frameWindowStart;

	private int framesInWindow;

	ListenerConnection(String sessionId, String connectionId, Authentication user, @Nullable String httpSessionId) {
		this.sessionId = sessionId;
		this.connectionId = connectionId;
		this.user = user;
		this.httpSessionId = httpSessionId;
	}

	/**
	 * Return the WebSocket session id, known only to the server.
	 * @return the session id
	 */
	public String sessionId() {
		return this.sessionId;
	}

	/**
	 * Return the id sent to the client in CONNECTED, which subscription signatures bind
	 * to.
	 * @return the connection id
	 */
	public String connectionId() {
		return this.connectionId;
	}

	/**
	 * Return the authenticated user who opened the connection, with the authorities of
	 * the latest token where a bearer token authenticates it.
	 * @return the user
	 */
	public Authentication user() {
		return this.user;
	}

	/**
	 * Return the id of the HTTP session the WebSocket was opened from, if there was one;
	 * the connection ends with it.
	 * @return the HTTP session id, or {@code null}
	 */
	public @Nullable String httpSessionId() {
		return this.httpSessionId;
	}

	/**
	 * Mark the connection as authenticated by a bearer token rather than by the HTTP
	 * session, valid until the given time; called again when the client sends a fresh
	 * token, whose authorities then count (a role taken away in it stops deliveries).
	 * @param user the user the token authenticates, by the same name as the connection's
	 * @param expiresAt when the token expires, or {@code null} if never
	 */
	public void authenticatedByToken(Authentication user, @Nullable Instant expiresAt) {
		if (!user.getName().equals(this.user.getName())) {
			throw new IllegalArgumentException("A token of another user");
		}
		this.user = user;
		this.tokenExpiresAtMillis = (expiresAt != null) ? expiresAt.toEpochMilli() : Long.MAX_VALUE;
		this.tokenAuthenticated = true;
	}

	/**
	 * Return whether a bearer token authenticated the connection.
	 * @return whether it did
	 */
	public boolean isTokenAuthenticated() {
		return this.tokenAuthenticated;
	}

	/**
	 * Return when the connection's token expires.
	 * @return the time, or {@code null} for a connection without a token or whose token
	 * never expires
	 */
	public @Nullable Instant tokenExpiresAt() {
		long millis = this.tokenExpiresAtMillis;
		return (millis != Long.MAX_VALUE) ? Instant.ofEpochMilli(millis) : null;
	}

	/**
	 * Return whether the connection's token has expired: nothing more is delivered to it.
	 * @param nowMillis the current time
	 * @return whether it has
	 */
	public boolean tokenExpired(long nowMillis) {
		return nowMillis >= this.tokenExpiresAtMillis;
	}

	/**
	 * Return what a part of notify-listen keeps with this connection under its own key,
	 * made on first use; it goes with the connection.
	 * @param <T> the kind of value
	 * @param key the key, which its owner holds
	 * @return the value
	 */
	public <T> T attachment(Attachment<T> key) {
		T value = find(this.attachments, key);
		return (value != null) ? value : attach(key);
	}

	private synchronized <T> T attach(Attachment<T> key) {
		Object[] current = this.attachments;
		T value = find(current, key);
		if (value == null) {
			value = key.initial.get();
			Object[] grown = Arrays.copyOf(current, current.length + 2);
			grown[current.length] = key;
			grown[current.length + 1] = value;
			this.attachments = grown;
		}
		return value;
	}

	@SuppressWarnings("unchecked")
	private static <T> @Nullable T find(Object[] attachments, Attachment<T> key) {
		for (int i = 0; i < attachments.length; i += 2) {
			if (attachments[i] == key) {
				return (T) attachments[i + 1];
			}
		}
		return null;
	}

	/**
	 * A key under which one part of notify-listen keeps something with each connection,
	 * so that the connection need not know what it is.
	 *
	 * @param <T> the kind of value
	 */
	public static final class Attachment<T> {

		private final Supplier<T> initial;

		/**
		 * Create a key.
		 * @param initial makes the value the first time a connection is asked for it
		 */
		public Attachment(Supplier<T> initial) {
			this.initial = initial;
		}

	}

	/**
	 * Count a new subscription, unless the connection already holds the maximum.
	 * @param max the most subscriptions allowed
	 * @return whether the subscription may be added
	 */
	public boolean tryAddSubscription(int max) {
		while (true) {
			int current = this.subscriptions.get();
			if (current >= max) {
				return false;
			}
			if (this.subscriptions.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}

	/**
	 * Count a subscription as ended.
	 */
	public void removeSubscription() {
		this.subscriptions.updateAndGet((current) -> Math.max(0, current - 1));
	}

	/**
	 * Return how many subscriptions the connection holds.
	 * @return the count
	 */
	public int subscriptions() {
		return this.subscriptions.get();
	}

	/**
	 * Count an inbound frame against a per-second budget.
	 * @param maxPerSecond the budget
	 * @param nowMillis the current time
	 * @return whether the frame is within the budget
	 */
	public synchronized boolean tryCountFrame(int maxPerSecond, long nowMillis) {
		if (nowMillis - this.frameWindowStart >= 1000) {
			this.frameWindowStart = nowMillis;
			this.framesInWindow = 0;
		}
		return ++this.framesInWindow <= maxPerSecond;
	}

	@Override
	public String toString() {
		return "ListenerConnection[session=" + this.sessionId + ", user=" + this.user.getName() + "]";
	}

}
