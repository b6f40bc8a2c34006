package io.notifylisten.internal.connection;

import java.io.IOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Removes the attributes that the application's filters and servlet set on a WebSocket
 * handshake request, once the handshake has upgraded the connection and every one of them
 * has returned.
 * <p>
 * Why: Jetty 12.1 keeps the handshake's request reachable for as long as the WebSocket
 * lives (Spring's {@code JettyWebSocketSession} holds Jetty's session, whose completed
 * upgrade response holds the live response header fields, which hold the request), and
 * with it everything in its attributes: the HTTP server and Spring Security observations
 * of the handshake (three per connection with Actuator present), the request wrappers
 * they carry, the CSRF token, Spring MVC's handler attributes. With thousands of idle
 * connections that is kilobytes each for nothing (BENCHMARKS.md, "Jetty: the upgraded
 * request's attributes"). This filter comes first in the chain, so when the chain returns
 * to it nothing of the application looks at the request again; attributes that were there
 * before the chain, and Jetty's own, stay.
 * <p>
 * Only upgraded requests are touched (101, or 200 to an HTTP/2 CONNECT; not
 * asynchronous); a refused handshake answers as before. A Jetty request log that prints
 * application attributes finds none for upgraded requests.
 */
public class UpgradedRequestCleanupFilter extends OncePerRequestFilter {

	/**
	 * Jetty's own attributes, which it reads once the chain has returned: it switches the
	 * connection over to the WebSocket with one
	 * ({@code org.eclipse.jetty.server.HttpStream.upgradeConnection}). Without it a
	 * client got compressed frames it had not negotiated.
	 */
	private static final String CONTAINER_ATTRIBUTES = "org.eclipse.jetty.";

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Set<String> before = new HashSet<>(Collections.list(request.getAttributeNames()));
		chain.doFilter(request, response);
		if (!upgraded(request, response) || request.isAsyncStarted()) {
			return;
		}
		for (String name : Collections.list(request.getAttributeNames())) {
			if (!before.contains(name) && !name.startsWith(CONTAINER_ATTRIBUTES)) {
				request.removeAttribute(name);
			}
		}
	}

	// HTTP/1.1 answers 101; a WebSocket over HTTP/2 (RFC 8441) is a CONNECT answered with
	// 200.
	private static boolean upgraded(HttpServletRequest request, HttpServletResponse response) {
		int status = response.getStatus();
		return status == HttpServletResponse.SC_SWITCHING_PROTOCOLS
				|| ("CONNECT".equals(request.getMethod()) && status == HttpServletResponse.SC_OK);
	}

}
