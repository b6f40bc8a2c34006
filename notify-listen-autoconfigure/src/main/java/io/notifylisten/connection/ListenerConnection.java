package io.notifylisten.connection;

import org.springframework.security.core.Authentication;

/**
 * One open STOMP connection that passed CONNECT.
 *
 * @param sessionId the WebSocket session id, known only to the server
 * @param connectionId the id sent to the client in CONNECTED, which subscription signatures bind to
 * @param user the authenticated user who opened the connection
 */
public record ListenerConnection(String sessionId, String connectionId, Authentication user) {

}
