package io.notifylisten.internal.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * Signs and verifies subscriptions in Pusher's format,
 * {@code key:hex(HMAC-SHA256(secret, "connectionId:channel"))}, so a signature is good
 * for one connection and one channel only. The secret stays in this object: it is never
 * returned, logged or printed by {@link #toString()}.
 */
public final class SubscriptionSigner {

	private static final String ALGORITHM = "HmacSHA256";

	private final String key;

	private final SecretKeySpec secret;

	public SubscriptionSigner(String key, String secret) {
		this.key = key;
		this.secret = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
	}

	/**
	 * Sign a subscription.
	 * @param connectionId the connection id the client received in CONNECTED
	 * @param channel the channel name, {@code entity/id/action}
	 * @return {@code key:hexSignature}
	 */
	public String sign(String connectionId, String channel) {
		return this.key + ":" + signRaw(connectionId + ":" + channel);
	}

	/**
	 * Verify a subscription signature, in constant time.
	 * @param connectionId the connection the subscription arrived on
	 * @param channel the channel it names
	 * @param signature what the client sent
	 * @return whether the signature was made by this signer for exactly this connection
	 * and channel
	 */
	public boolean verify(String connectionId, String channel, @Nullable String signature) {
		if (signature == null) {
			return false;
		}
		byte[] expected = sign(connectionId, channel).getBytes(StandardCharsets.UTF_8);
		return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Sign text with the secret, as its UTF-8 bytes.
	 * @param text what to sign
	 * @return the hex HMAC-SHA256
	 */
	public String signRaw(String text) {
		return HexFormat.of().formatHex(hmac(text));
	}

	/**
	 * Sign bytes with the secret, exactly as they are: no text encoding stands between
	 * what was written and what is verified.
	 * @param parts what to sign, one after the other
	 * @return the hex HMAC-SHA256
	 */
	public String signRaw(byte[]... parts) {
		Mac mac = mac();
		for (byte[] part : parts) {
			mac.update(part);
		}
		return HexFormat.of().formatHex(mac.doFinal());
	}

	/**
	 * Return the token that names a user's own topic. It is derived from the secret so
	 * that nobody can compute another user's topic, and hex so that any username makes a
	 * valid routing key.
	 * @param username the username
	 * @return 32 hex characters
	 */
	public String userToken(String username) {
		return HexFormat.of().formatHex(hmac("user:" + username), 0, 16);
	}

	private byte[] hmac(String data) {
		return mac().doFinal(data.getBytes(StandardCharsets.UTF_8));
	}

	// javax.crypto's HMAC, not a hand-written one; a Mac is not thread-safe, so one per
	// call.
	private Mac mac() {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(this.secret);
			return mac;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC-SHA256 is not available", ex);
		}
	}

	@Override
	public String toString() {
		return "SubscriptionSigner[key=" + this.key + "]";
	}

}
