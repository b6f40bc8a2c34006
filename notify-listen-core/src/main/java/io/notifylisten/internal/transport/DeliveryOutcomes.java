package io.notifylisten.internal.transport;

import java.util.Locale;

/**
 * Told what became of each notification message meant for a connection, whichever route
 * it took: the one place meters hook in.
 */
public interface DeliveryOutcomes {

	/** Hears nothing. */
	DeliveryOutcomes NONE = new DeliveryOutcomes() {
		@Override
		public void delivered(byte[] payload) {
		}

		@Override
		public void dropped(DropReason reason) {
		}
	};

	/**
	 * A notification message was handed to a connection's session.
	 * @param payload the message's body, the same array for every connection of one
	 * notification where none gets a body of its own
	 */
	void delivered(byte[] payload);

	/**
	 * A notification message did not reach a connection.
	 * @param reason why not
	 */
	void dropped(DropReason reason);

	/**
	 * Notification messages waiting for a connection that reads too slowly were replaced
	 * by a later one of their channel (see
	 * {@code notify-listen.limits.conflation-threshold}).
	 * @param messages how many
	 */
	default void folded(int messages) {
	}

	/**
	 * Why a notification message did not reach a connection.
	 */
	enum DropReason {

		/**
		 * The user may not receive it now: role, entity access or a {@code @NotifyListen}
		 * handler said no.
		 */
		DENIED,

		/** The connection read too slowly and went over its send buffer limit. */
		SLOW,

		/** The connection closed before the message was written. */
		CLOSED,

		/** Writing it failed. */
		ERROR;

		/**
		 * Return the reason as a meter tag value.
		 * @return the lower-case name
		 */
		public String tag() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
