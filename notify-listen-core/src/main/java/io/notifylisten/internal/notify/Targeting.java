package io.notifylisten.internal.notify;

/**
 * Message headers that say who a notice is for, or who it skips. They travel with the
 * message through the broker, are checked for each connection on delivery, and are
 * removed before the frame reaches a browser.
 */
public final class Targeting {

	/** Only connections whose user holds this authority receive the message. */
	public static final String ROLE_HEADER = "nl-role";

	/** Only the connection with this id receives the message. */
	public static final String CONNECTION_HEADER = "nl-connection";

	/** The connection with this id does not receive the message. */
	public static final String EXCLUDE_HEADER = "nl-exclude";

	private Targeting() {
	}

}
