package io.notifylisten.tokenapp;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signed JWTs for the {@link TokenTestApplication}, made here as an identity provider
 * would, with a local RSA key; and the ways a token can be wrong.
 */
public final class Tokens {

	/** The issuer the application trusts. */
	public static final String ISSUER = "https://login.example";

	/** The audience the application expects. */
	public static final String AUDIENCE = "orders-api";

	/** The key the application trusts. */
	static final RSAKey KEY = generate();

	private static final RSAKey STRANGER = generate();

	private Tokens() {
	}

	/**
	 * Return a good token for a user with the listen role.
	 * @param user the subject
	 * @param expiresAt when it expires
	 * @return the token
	 */
	public static String valid(String user, Instant expiresAt) {
		return sign(KEY, claims(user, expiresAt).build());
	}

	/**
	 * Return a good token for a user who no longer holds the listen role.
	 * @param user the subject
	 * @param expiresAt when it expires
	 * @return the token
	 */
	public static String withoutListenRole(String user, Instant expiresAt) {
		return sign(KEY, claims(user, expiresAt).claim("roles", List.of("ORDER_CLERK")).build());
	}

	/**
	 * Return a token signed by a key the application does not trust.
	 * @param user the subject
	 * @return the token
	 */
	public static String wrongSignature(String user) {
		return sign(STRANGER, claims(user, Instant.now().plusSeconds(60)).build());
	}

	/**
	 * Return a token from another issuer.
	 * @param user the subject
	 * @return the token
	 */
	public static String wrongIssuer(String user) {
		return sign(KEY, claims(user, Instant.now().plusSeconds(60)).issuer("https://elsewhere.example").build());
	}

	/**
	 * Return a token for another audience.
	 * @param user the subject
	 * @return the token
	 */
	public static String wrongAudience(String user) {
		return sign(KEY, claims(user, Instant.now().plusSeconds(60)).audience("billing-api").build());
	}

	private static JWTClaimsSet.Builder claims(String user, Instant expiresAt) {
		return new JWTClaimsSet.Builder().subject(user)
			.issuer(ISSUER)
			.audience(AUDIENCE)
			.issueTime(Date.from(Instant.now().minusSeconds(120)))
			.expirationTime(Date.from(expiresAt))
			.jwtID(UUID.randomUUID().toString())
			.claim("roles", List.of("NOTIFY_LISTEN_USER"));
	}

	private static String sign(RSAKey key, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
					claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static RSAKey generate() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
