package io.notifylisten.internal.security;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;

/**
 * Checks a bearer token that a client sends on STOMP CONNECT or on a refresh, and tells
 * whom it authenticates and until when. A refused token is a
 * {@link ListenDeniedException} with one of two reasons a client can act on,
 * {@value #INVALID_TOKEN} or {@value #TOKEN_EXPIRED}; neither names the token.
 */
@FunctionalInterface
public interface BearerTokenAuthenticator {

	/**
	 * The reason for a token that is malformed, forged, or for another issuer or
	 * audience.
	 */
	String INVALID_TOKEN = "Invalid token";

	/** The reason for a token whose time is up. */
	String TOKEN_EXPIRED = "Token expired";

	/**
	 * Check a token.
	 * @param token the token, without {@code Bearer }
	 * @return the user it authenticates and when it expires
	 * @throws ListenDeniedException if the token is refused
	 */
	VerifiedToken authenticate(String token);

	/**
	 * Return when the token that authenticated a request through the application's own
	 * security expires, so that what the request opened (an event stream) ends with it.
	 * @param user the request's user
	 * @return the expiry, or {@code null} if the user was not authenticated by a token
	 * this authenticator knows or the token never expires
	 */
	default @Nullable Instant expiresAt(Authentication user) {
		return null;
	}

	/**
	 * Return the token of an {@code Authorization} header, if it carries a bearer token.
	 * @param authorization the header's value, or {@code null}
	 * @return the token, or {@code null}
	 */
	static @Nullable String tokenOf(@Nullable String authorization) {
		String scheme = "Bearer ";
		if (authorization == null || !authorization.regionMatches(true, 0, scheme, 0, scheme.length())) {
			return null;
		}
		String token = authorization.substring(scheme.length()).strip();
		return token.isEmpty() ? null : token;
	}

	/**
	 * A token that was accepted.
	 *
	 * @param user the user it authenticates, with the authorities the application's
	 * security maps from it
	 * @param expiresAt when it expires, or {@code null} if never
	 */
	record VerifiedToken(Authentication user, @Nullable Instant expiresAt) {

	}

}
