package io.notifylisten.internal.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How another service signs a request to {@code POST /rest/pusher/notify}, for the tests
 * of the publish endpoint in every module.
 */
public final class SignedPublishRequests {

	/** The secret the tests' servers are configured with. */
	public static final String SECRET = "0123456789abcdef0123456789abcdef";

	private SignedPublishRequests() {
	}

	/**
	 * Sign a request, written out with javax.crypto as another service would, rather than
	 * with the server's signer.
	 * @param body the request's body
	 * @param timestamp its {@code X-Notify-Timestamp}
	 * @return its {@code X-Notify-Signature}
	 * @throws Exception if the JDK has no HMAC-SHA256
	 */
	public static String sign(String body, String timestamp) throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		String signed = "POST\n/rest/pusher/notify\n" + timestamp + "\n" + body;
		return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
	}

	/**
	 * Return the current time as a timestamp.
	 * @return seconds since the epoch
	 */
	public static String now() {
		return String.valueOf(Instant.now().getEpochSecond());
	}

}
