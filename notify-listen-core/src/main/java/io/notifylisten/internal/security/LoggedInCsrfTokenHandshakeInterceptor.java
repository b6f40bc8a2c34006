package io.notifylisten.internal.security;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.messaging.web.socket.server.CsrfTokenHandshakeInterceptor;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Hands the CSRF token to a WebSocket that a logged-in user opens, as Spring Security's
 * {@link CsrfTokenHandshakeInterceptor} does, so that its CONNECT can be checked. An
 * anonymous handshake (a page that authenticates with a bearer token on CONNECT) gets
 * none: its CONNECT needs no CSRF token, and asking for one would generate it and open an
 * HTTP session to keep it in.
 */
public class LoggedInCsrfTokenHandshakeInterceptor implements HandshakeInterceptor {

	private final HandshakeInterceptor csrfToken = new CsrfTokenHandshakeInterceptor();

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			Map<String, Object> attributes) throws Exception {
		return request.getPrincipal() == null
				|| this.csrfToken.beforeHandshake(request, response, wsHandler, attributes);
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			@Nullable Exception exception) {
	}

}
