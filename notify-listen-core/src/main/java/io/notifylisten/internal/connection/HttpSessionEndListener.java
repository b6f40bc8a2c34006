package io.notifylisten.internal.connection;

import io.notifylisten.internal.transport.OutboundTransport;

import org.springframework.context.ApplicationListener;
import org.springframework.security.web.session.HttpSessionDestroyedEvent;

/**
 * Ends the STOMP connections opened from an HTTP session when that session ends, by
 * logout or expiry, so that a page stops listening as soon as its user is no longer
 * logged in.
 */
public class HttpSessionEndListener implements ApplicationListener<HttpSessionDestroyedEvent> {

	private final ConnectionRegistry connections;

	private final OutboundTransport sessions;

	public HttpSessionEndListener(ConnectionRegistry connections, OutboundTransport sessions) {
		this.connections = connections;
		this.sessions = sessions;
	}

	@Override
	public void onApplicationEvent(HttpSessionDestroyedEvent event) {
		for (ListenerConnection connection : this.connections.ofHttpSession(event.getId())) {
			this.sessions.close(connection.sessionId(), "Session ended");
		}
	}

}
