package io.notifylisten.internal.channel;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The id a connection gets at CONNECT: pages sign subscriptions for it, and the server
 * addresses one connection or skips the one that caused a change by it. Random, so that
 * one page cannot guess another's.
 */
public final class ConnectionId {

	private static final int BYTES = 16;

	private static final Pattern FORM = Pattern.compile("[0-9a-f]{" + (BYTES * 2) + "}");

	private ConnectionId() {
	}

	/**
	 * Make a new connection id.
	 * @param random the source of randomness
	 * @return {@value #BYTES} random bytes in lower-case hex
	 */
	public static String next(SecureRandom random) {
		byte[] bytes = new byte[BYTES];
		random.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/**
	 * Check whether a string has the form of a connection id.
	 * @param connectionId the candidate
	 * @return whether it is {@value #BYTES} bytes in lower-case hex
	 */
	public static boolean isValid(@Nullable String connectionId) {
		return connectionId != null && FORM.matcher(connectionId).matches();
	}

}
