package io.notifylisten.internal.channel;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.channel.InvalidChannelException;

/**
 * The name of one object's presence: who is looking at {@code entity/id} now, written
 * {@code presence-entity/id} (for example {@code presence-Order/42}) where a channel name
 * is expected, as Pusher names its presence channels. Entity and id follow
 * {@link ChannelName}'s alphabet.
 *
 * @param entity entity name, for example {@code Order}
 * @param id entity id, for example {@code 42}
 */
public record PresenceName(String entity, String id) {

	/** What a presence name starts with where a channel name is expected. */
	public static final String PREFIX = "presence-";

	/** The action that stands for "may read the entity" where a check needs a channel. */
	private static final String READ = "presence";

	public PresenceName {
		new ChannelName(entity, id, READ);
	}

	/**
	 * Whether a name given where a channel is expected names a presence rather than a
	 * channel.
	 * @param name the name, for example {@code presence-Order/42}
	 * @return whether it starts with {@value #PREFIX}
	 */
	public static boolean isPresence(String name) {
		return name.startsWith(PREFIX);
	}

	/**
	 * Parse a presence name written {@code presence-entity/id}.
	 * @param name the name
	 * @return the parsed name
	 * @throws InvalidChannelException if it is not a valid presence name
	 */
	public static PresenceName parse(String name) {
		String[] parts = isPresence(name) ? name.substring(PREFIX.length()).split("/", -1) : new String[0];
		if (parts.length != 2) {
			throw new InvalidChannelException("Presence must be written presence-entity/id");
		}
		return new PresenceName(parts[0], parts[1]);
	}

	/**
	 * Return a channel of the same entity and id, for the checks that take one: who may
	 * read an entity does not depend on the action.
	 * @return the channel {@code entity/id/presence}, which is never subscribed to
	 */
	public ChannelName readCheck() {
		return new ChannelName(this.entity, this.id, READ);
	}

	@Override
	public String toString() {
		return PREFIX + this.entity + "/" + this.id;
	}

}
