package io.notifylisten.sample.security;

/**
 * The sample's users and the one order that is kept from bob; every password is
 * {@code password}.
 */
public final class DemoUsers {

	/** Listens to everything and may send the admin banner. */
	public static final String ALICE = "alice";

	/** Listens, but may not read {@link #SECRET_ORDER}. */
	public static final String BOB = "bob";

	/** Logged in without the listen role: sees orders, never live. */
	public static final String CAROL = "carol";

	/** The order bob may not read. */
	public static final long SECRET_ORDER = 3;

	/** The password of every demo user. */
	public static final String PASSWORD = "password";

	/** {@link #PASSWORD}, hashed once with BCrypt. */
	static final String PASSWORD_HASH = "{bcrypt}$2a$10$mIK8FmwglDz7qkdQr..OKeuYDfI/k5.uzyPA4uRC4Xsi1Wa3hGgJ6";

	private DemoUsers() {
	}

}
