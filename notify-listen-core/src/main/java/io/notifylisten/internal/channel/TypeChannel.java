package io.notifylisten.internal.channel;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.channel.InvalidChannelException;
import org.jspecify.annotations.Nullable;

/**
 * An action on every object of an entity: <code>Order/&#42;/refresh</code> hears
 * {@code Order/42/refresh}, {@code Order/43/refresh} and every other order's. Written as
 * a channel whose id is {@value #ANY_ID}, which no id can be, so that a signature for it
 * is never one for an object's channel. Entity and action follow {@link ChannelName}'s
 * alphabet.
 *
 * <p>
 * Nothing about one object is checked at SUBSCRIBE, since there is none: each
 * notification is checked for the object it is about, at delivery, as for an object's
 * listener.
 *
 * @param entity entity name, for example {@code Order}
 * @param action action name, for example {@code refresh}
 */
public record TypeChannel(String entity, String action) {

	/** The id that stands for every id. */
	public static final String ANY_ID = "*";

	public TypeChannel {
		// The id is only there to have the entity and action checked as a channel's.
		new ChannelName(entity, "any", action);
	}

	/**
	 * Parse a name given where a channel is expected, or return {@code null} where its id
	 * is not {@value #ANY_ID}.
	 * @param name the name, for example <code>Order/&#42;/refresh</code>
	 * @return the type channel, or {@code null}
	 * @throws InvalidChannelException if the id is {@value #ANY_ID} and the entity or
	 * action is not valid
	 */
	public static @Nullable TypeChannel parseOrNull(String name) {
		String[] parts = name.split("/", -1);
		if (parts.length != 3 || !ANY_ID.equals(parts[1])) {
			return null;
		}
		return new TypeChannel(parts[0], parts[2]);
	}

	@Override
	public String toString() {
		return this.entity + "/" + ANY_ID + "/" + this.action;
	}

}
