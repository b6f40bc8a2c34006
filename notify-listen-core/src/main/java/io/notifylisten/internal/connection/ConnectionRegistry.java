package io.notifylisten.internal.connection;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.notifylisten.internal.channel.ConnectionId;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;
import org.springframework.security.core.Authentication;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;

/**
 * The connections open on this node. An entry is added when CONNECT is accepted and
 * removed when the WebSocket session ends, however it ends.
 */
public class ConnectionRegistry implements ApplicationListener<SessionDisconnectEvent> {

	private final SecureRandom random = new SecureRandom();

	private final Map<String, ListenerConnection> connections = new ConcurrentHashMap<>();

	private final Map<String, Integer> perUser = new ConcurrentHashMap<>();

	/**
	 * Register a connection that passed CONNECT and give it a fresh connection id.
	 * @param sessionId the WebSocket session id
	 * @param user the authenticated user
	 * @param httpSessionId the HTTP session the WebSocket was opened from, or
	 * {@code null}
	 * @param maxPerUser the most connections one user may hold open on this node
	 * @return the registered connection, or {@code null} if the user already holds the
	 * maximum
	 */
	public @Nullable ListenerConnection register(String sessionId, Authentication user, @Nullable String httpSessionId,
			int maxPerUser) {
		boolean[] admitted = new boolean[1];
		this.perUser.compute(user.getName(), (name, count) -> {
			int current = (count != null) ? count : 0;
			admitted[0] = current < maxPerUser;
			return admitted[0] ? current + 1 : count;
		});
		if (!admitted[0]) {
			return null;
		}
		// A random id rather than the session id: the client learns it, and it should say
		// nothing about the server's sessions.
		ListenerConnection connection = new ListenerConnection(sessionId, ConnectionId.next(this.random), user,
				httpSessionId);
		this.connections.put(sessionId, connection);
		return connection;
	}

	/**
	 * Return the connections opened from one HTTP session.
	 * @param httpSessionId the HTTP session id
	 * @return the connections
	 */
	public List<ListenerConnection> ofHttpSession(String httpSessionId) {
		return this.connections.values()
			.stream()
			.filter((connection) -> httpSessionId.equals(connection.httpSessionId()))
			.toList();
	}

	/**
	 * Return the connection of a WebSocket session, if it passed CONNECT.
	 * @param sessionId the WebSocket session id
	 * @return the connection, or {@code null}
	 */
	public @Nullable ListenerConnection get(@Nullable String sessionId) {
		return (sessionId != null) ? this.connections.get(sessionId) : null;
	}

	/**
	 * Return a snapshot of the open connections.
	 * @return the connections
	 */
	public Collection<ListenerConnection> connections() {
		return List.copyOf(this.connections.values());
	}

	@Override
	public void onApplicationEvent(SessionDisconnectEvent event) {
		unregister(event.getSessionId());
	}

	/**
	 * Forget a connection that ended.
	 * @param sessionId its session id
	 */
	public void unregister(String sessionId) {
		ListenerConnection removed = this.connections.remove(sessionId);
		if (removed != null) {
			this.perUser.computeIfPresent(removed.user().getName(), (name, count) -> (count <= 1) ? null : count - 1);
		}
	}

}
