package io.notifylisten.internal.channel;

import java.util.regex.Pattern;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.channel.InvalidChannelException;
import org.jspecify.annotations.Nullable;

/**
 * Maps {@link ChannelName channel names} to STOMP destinations and back, within one
 * application key.
 *
 * <p>
 * {@code Order/42/refresh} under key {@code shop} becomes
 * {@code /topic/shop.Order.42.refresh}. Dots separate the words, as a STOMP broker's
 * topic routing keys do. The key comes first so that two applications or environments
 * never share a destination.
 */
public final class ChannelDestinations {

	/** Destination prefix handled by the broker. */
	public static final String TOPIC_PREFIX = "/topic/";

	private static final String PRESENCE = "presence";

	private static final String MEMBERS = "members";

	private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");

	private final String key;

	private final String prefix;

	public ChannelDestinations(String key) {
		if (!isValidKey(key)) {
			throw new IllegalArgumentException("Key must be 1 to 64 letters, digits, '_' or '-'");
		}
		this.key = key;
		this.prefix = TOPIC_PREFIX + key + ".";
	}

	/**
	 * Check whether a key can namespace destinations.
	 * @param key the candidate key
	 * @return whether the key is 1 to 64 letters, digits, {@code _} or {@code -}
	 */
	public static boolean isValidKey(@Nullable String key) {
		return key != null && KEY.matcher(key).matches();
	}

	/**
	 * Return the application key that namespaces every destination.
	 * @return the key
	 */
	public String key() {
		return this.key;
	}

	/**
	 * Return the prefix common to every notification destination of this key.
	 * @return the prefix, for example {@code /topic/shop.}
	 */
	public String prefix() {
		return this.prefix;
	}

	/**
	 * Return the destination a client subscribes to for notifications addressed to its
	 * user. The server turns that subscription into one to {@link #userTopic(String) the
	 * user's own topic}.
	 * @return for example {@code /user/topic/shop.notify}
	 */
	public String userDestination() {
		return "/user" + this.prefix + "notify";
	}

	/**
	 * Return the destination a client subscribes to for notices: broadcasts and messages
	 * addressed to a role or to one connection. The server turns that subscription into
	 * one to {@link #noticeTopic()}, and filters what arrives there per connection.
	 * @return for example {@code /user/topic/shop.notices}
	 */
	public String noticeDestination() {
		return "/user" + this.prefix + "notices";
	}

	/**
	 * Return the topic that carries notices to every connection, on every node.
	 * @return for example {@code /topic/shop.all}
	 */
	public String noticeTopic() {
		return this.prefix + "all";
	}

	/**
	 * Return the topic that carries notifications addressed to one user, on every node.
	 * @param userToken the user's token, which only the server can compute from the
	 * username
	 * @return for example {@code /topic/shop.u.3f9c...}
	 */
	public String userTopic(String userToken) {
		return userTopicPrefix() + userToken;
	}

	/**
	 * Return the prefix of every user topic.
	 * @return for example {@code /topic/shop.u.}
	 */
	public String userTopicPrefix() {
		return this.prefix + "u.";
	}

	/**
	 * Return the destination a client subscribes to for an object's presence. It has four
	 * words, so it is never a channel's destination, whatever the names.
	 * @param presence the presence
	 * @return for example {@code /topic/shop.presence.Order.42.members}
	 */
	public String destinationOf(PresenceName presence) {
		return this.prefix + PRESENCE + "." + presence.entity() + "." + presence.id() + "." + MEMBERS;
	}

	/**
	 * Return the destination of any object's presence, for clients to fill in.
	 * @return for example {@code /topic/shop.presence.{entity}.{id}.members}
	 */
	public String presenceDestinationFormat() {
		return this.prefix + PRESENCE + ".{entity}.{id}." + MEMBERS;
	}

	/**
	 * Parse a presence destination, or return {@code null} where it is not one.
	 * @param destination the destination
	 * @return the presence, or {@code null}
	 */
	public @Nullable PresenceName presenceOrNull(@Nullable String destination) {
		if (destination == null || !destination.startsWith(this.prefix)) {
			return null;
		}
		String[] parts = destination.substring(this.prefix.length()).split("\\.", -1);
		if (parts.length != 4 || !PRESENCE.equals(parts[0]) || !MEMBERS.equals(parts[3])) {
			return null;
		}
		try {
			return new PresenceName(parts[1], parts[2]);
		}
		catch (InvalidChannelException ex) {
			return null;
		}
	}

	/**
	 * Return the destination of the records by which nodes tell each other who is
	 * present. Only the notification log carries it; no client can subscribe to it.
	 * @return for example {@code /topic/shop.presence}
	 */
	public String presenceRecords() {
		return this.prefix + PRESENCE;
	}

	/**
	 * Return the STOMP destination of a channel.
	 * @param channel the channel
	 * @return the destination
	 */
	public String destinationOf(ChannelName channel) {
		return this.prefix + channel.entity() + "." + channel.id() + "." + channel.action();
	}

	/**
	 * Parse a STOMP destination back into the channel it was made from.
	 * @param destination the destination a client named
	 * @return the channel
	 * @throws InvalidChannelException if the destination is not a notification
	 * destination of this key
	 */
	public ChannelName channelOf(@Nullable String destination) {
		if (destination == null || !destination.startsWith(this.prefix)) {
			throw new InvalidChannelException("Destination must start with " + this.prefix);
		}
		String[] parts = destination.substring(this.prefix.length()).split("\\.", -1);
		if (parts.length != 3) {
			throw new InvalidChannelException("Destination must be " + this.prefix + "{entity}.{id}.{action}");
		}
		return new ChannelName(parts[0], parts[1], parts[2]);
	}

	/**
	 * Return the STOMP destination of an action on every object of an entity.
	 * @param type the type channel
	 * @return for example <code>/topic/shop.Order.&#42;.refresh</code>
	 */
	public String destinationOf(TypeChannel type) {
		return this.prefix + type.entity() + "." + TypeChannel.ANY_ID + "." + type.action();
	}

	/**
	 * Return the destination of the type channel that hears a channel's notifications.
	 * @param channel an object's channel
	 * @return for example <code>/topic/shop.Order.&#42;.refresh</code> for
	 * {@code Order/42/refresh}
	 */
	public String typeDestinationOf(ChannelName channel) {
		// The channel's parts are valid already: no second check per message.
		return this.prefix + channel.entity() + "." + TypeChannel.ANY_ID + "." + channel.action();
	}

	/**
	 * Parse a type channel's destination, or return {@code null} where it is not one.
	 * @param destination the destination
	 * @return the type channel, or {@code null}
	 */
	public @Nullable TypeChannel typeOrNull(@Nullable String destination) {
		if (destination == null || !destination.startsWith(this.prefix)) {
			return null;
		}
		String[] parts = destination.substring(this.prefix.length()).split("\\.", -1);
		if (parts.length != 3 || !TypeChannel.ANY_ID.equals(parts[1])) {
			return null;
		}
		try {
			return new TypeChannel(parts[0], parts[2]);
		}
		catch (InvalidChannelException ex) {
			return null;
		}
	}

	/**
	 * Parse a STOMP destination, or return {@code null} where it is not a notification
	 * destination.
	 * @param destination the destination
	 * @return the channel, or {@code null}
	 */
	public @Nullable ChannelName channelOrNull(@Nullable String destination) {
		try {
			return channelOf(destination);
		}
		catch (InvalidChannelException ex) {
			return null;
		}
	}

}
