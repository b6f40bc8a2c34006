package io.notifylisten.internal.security;

import java.time.Clock;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * Checks a JSON Web Token with the application's {@link JwtDecoder} (signature, issuer,
 * audience, time, whatever its validators check) and maps it to a user with the
 * application's converter, so that a STOMP connection gets the same user and authorities
 * as a request through the application's OAuth2 Resource Server chain.
 */
public final class JwtBearerTokenAuthenticator implements BearerTokenAuthenticator {

	private static final Log logger = LogFactory.getLog(JwtBearerTokenAuthenticator.class);

	private final JwtDecoder decoder;

	private final Converter<Jwt, ? extends AbstractAuthenticationToken> converter;

	private final Clock clock;

	/**
	 * Create an authenticator.
	 * @param decoder the application's decoder
	 * @param converter the application's converter, or {@code null} for Spring Security's
	 * default ({@code SCOPE_} authorities)
	 * @param clock tells when a token has expired
	 */
	public JwtBearerTokenAuthenticator(JwtDecoder decoder,
			@Nullable Converter<Jwt, ? extends AbstractAuthenticationToken> converter, Clock clock) {
		this.decoder = decoder;
		this.converter = (converter != null) ? converter : new JwtAuthenticationConverter();
		this.clock = clock;
	}

	@Override
	public VerifiedToken authenticate(String token) {
		Jwt jwt;
		try {
			jwt = this.decoder.decode(token);
		}
		catch (JwtValidationException ex) {
			throw new ListenDeniedException(isExpiry(ex) ? TOKEN_EXPIRED : INVALID_TOKEN);
		}
		catch (BadJwtException ex) {
			throw new ListenDeniedException(INVALID_TOKEN);
		}
		catch (JwtException ex) {
			// Not always the client's doing (the key set could not be fetched, say), yet
			// the client can only try again with a token: it hears the same. DEBUG, as
			// every CONNECT could bring one.
			logger.debug("Could not check a bearer token: " + ex.getClass().getSimpleName());
			throw new ListenDeniedException(INVALID_TOKEN);
		}
		// The decoder's validator may allow for clock skew; a connection ends at the
		// token's own expiry, so one that would end at once is refused here.
		Instant expiresAt = jwt.getExpiresAt();
		if (expiresAt != null && !expiresAt.isAfter(this.clock.instant())) {
			throw new ListenDeniedException(TOKEN_EXPIRED);
		}
		AbstractAuthenticationToken user = this.converter.convert(jwt);
		if (user == null) {
			throw new ListenDeniedException(INVALID_TOKEN);
		}
		return new VerifiedToken(user, expiresAt);
	}

	@Override
	public @Nullable Instant expiresAt(Authentication user) {
		return (user instanceof AbstractOAuth2TokenAuthenticationToken<?> token) ? token.getToken().getExpiresAt()
				: null;
	}

	// Spring Security's JwtTimestampValidator reports an expired token in these words.
	private static boolean isExpiry(JwtValidationException ex) {
		return ex.getErrors()
			.stream()
			.map(OAuth2Error::getDescription)
			.anyMatch(JwtBearerTokenAuthenticator::saysExpired);
	}

	private static boolean saysExpired(@Nullable String description) {
		return description != null && description.startsWith("Jwt expired");
	}

}
