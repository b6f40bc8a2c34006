package io.notifylisten.internal.security;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.notifylisten.internal.security.BearerTokenAuthenticator.VerifiedToken;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a client is told of its token, whatever the decoder found wrong with it, and what
 * a good one gives the connection.
 */
class JwtBearerTokenAuthenticatorTests {

	private static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	@Test
	void aGoodTokenGivesItsSubjectAndExpiry() {
		VerifiedToken verified = authenticator((token) -> jwt(NOW.plusSeconds(60))).authenticate("token");

		assertThat(verified.user().getName()).isEqualTo("alice");
		assertThat(verified.expiresAt()).isEqualTo(NOW.plusSeconds(60));
	}

	@Test
	void aTokenTheValidatorsFindExpiredIsExpired() {
		JwtDecoder decoder = (token) -> {
			throw new JwtValidationException("An error occurred",
					List.of(new OAuth2Error("invalid_token", "Jwt expired at " + NOW, null)));
		};

		assertRefused(decoder, BearerTokenAuthenticator.TOKEN_EXPIRED);
	}

	// The decoder allows a minute of clock skew by default; the connection would end at
	// once.
	@Test
	void aTokenPastItsExpiryIsExpiredEvenWhereTheDecoderAllowsForSkew() {
		assertRefused((token) -> jwt(NOW.minusSeconds(30)), BearerTokenAuthenticator.TOKEN_EXPIRED);
	}

	@Test
	void anyOtherFailureIsAnInvalidToken() {
		assertRefused((token) -> {
			throw new JwtValidationException("An error occurred",
					List.of(new OAuth2Error("invalid_token", "The iss claim is not valid", null)));
		}, BearerTokenAuthenticator.INVALID_TOKEN);
		assertRefused((token) -> {
			throw new BadJwtException("Signed JWT rejected");
		}, BearerTokenAuthenticator.INVALID_TOKEN);
		assertRefused((token) -> {
			throw new JwtException("Couldn't retrieve remote JWK set");
		}, BearerTokenAuthenticator.INVALID_TOKEN);
	}

	@Test
	void readsOnlyABearerTokenFromAnAuthorizationHeader() {
		assertThat(BearerTokenAuthenticator.tokenOf("Bearer abc")).isEqualTo("abc");
		assertThat(BearerTokenAuthenticator.tokenOf("bearer abc")).isEqualTo("abc");
		assertThat(BearerTokenAuthenticator.tokenOf("Basic YWxpY2U6cGFzc3dvcmQ=")).isNull();
		assertThat(BearerTokenAuthenticator.tokenOf("Bearer ")).isNull();
		assertThat(BearerTokenAuthenticator.tokenOf(null)).isNull();
	}

	private void assertRefused(JwtDecoder decoder, String reason) {
		assertThatExceptionOfType(ListenDeniedException.class)
			.isThrownBy(() -> authenticator(decoder).authenticate("token"))
			.withMessage(reason);
	}

	private JwtBearerTokenAuthenticator authenticator(JwtDecoder decoder) {
		return new JwtBearerTokenAuthenticator(decoder, null, this.clock);
	}

	private static Jwt jwt(Instant expiresAt) {
		return Jwt.withTokenValue("token")
			.header("alg", "RS256")
			.subject("alice")
			.issuedAt(NOW.minusSeconds(120))
			.expiresAt(expiresAt)
			.build();
	}

}
