package io.notifylisten.connection;

import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;

/**
 * One open STOMP connection that passed CONNECT, with the little state its limits need.
 */
public final class ListenerConnection {

	private final String sessionId;

	private final String connectionId;

	private final Authentication user;

	private final @Nullable String httpSessionId;

	private final AtomicInteger subscriptions = new AtomicInteger();

	/** Until when the user's current authorities need no load, in milliseconds; see ListenAuthorizer. */
	private volatile long authoritiesAnswerUntil;

	/** The user as authenticated now, kept by ListenAuthorizer while the authorities behind it are fresh. */
	private volatile @Nullable CheckedUser checkedUser;

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
	 * Return the id sent to the client in CONNECTED, which subscription signatures bind to.
	 * @return the connection id
	 */
	public String connectionId() {
		return this.connectionId;
	}

	/**
	 * Return the authenticated user who opened the connection.
	 * @return the user
	 */
	public Authentication user() {
		return this.user;
	}

	/**
	 * Return the id of the HTTP session the WebSocket was opened from, if there was one; the
	 * connection ends with it.
	 * @return the HTTP session id, or {@code null}
	 */
	public @Nullable String httpSessionId() {
		return this.httpSessionId;
	}

	/**
	 * Return until when the user's current authorities are known to need no load.
	 * @return the time in milliseconds since the epoch, 0 if not known
	 */
	public long authoritiesAnswerUntil() {
		return this.authoritiesAnswerUntil;
	}

	/**
	 * Remember until when the user's current authorities need no load.
	 * @param millis the time in milliseconds since the epoch
	 */
	public void authoritiesAnswerUntil(long millis) {
		this.authoritiesAnswerUntil = millis;
	}

	/**
	 * Return the user as last checked on delivery, or {@code null}.
	 * @return the checked user
	 */
	public @Nullable CheckedUser checkedUser() {
		return this.checkedUser;
	}

	/**
	 * Remember the user as checked on delivery.
	 * @param checkedUser the checked user
	 */
	public void checkedUser(CheckedUser checkedUser) {
		this.checkedUser = checkedUser;
	}

	/**
	 * The user of a connection as authenticated now, whether they hold the listen role, and until
	 * when that answer stands.
	 * @param current the user with the authorities they hold now
	 * @param listens whether they hold the listen role
	 * @param until until when, in the authorities' clock's milliseconds
	 */
	public record CheckedUser(Authentication current, boolean listens, long until) {
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
