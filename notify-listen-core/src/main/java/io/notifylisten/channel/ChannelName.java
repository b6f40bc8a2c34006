package io.notifylisten.channel;

import java.util.regex.Pattern;

/**
 * The name of one thing a page listens to: an entity, one of its ids and an action,
 * written {@code entity/id/action} (for example {@code Order/42/refresh}).
 *
 * <p>
 * Every part is checked against a small alphabet on construction. The alphabet leaves out
 * {@code .}, {@code *}, {@code #}, {@code /} and {@code >} on purpose: those are
 * separators or wildcards on the simple broker and on STOMP brokers such as RabbitMQ's,
 * so a name that passes can never widen a subscription.
 *
 * @param entity entity name, for example {@code Order}
 * @param id entity id, for example {@code 42} or a UUID
 * @param action action name, for example {@code refresh}
 */
public record ChannelName(String entity, String id, String action) {

	private static final int MAX_PART_LENGTH = 64;

	private static final Pattern ENTITY = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]+");

	private static final Pattern ACTION = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

	public ChannelName {
		check("entity", entity, ENTITY, "a letter followed by letters, digits or '_'");
		check("id", id, ID, "letters, digits, '_' or '-'");
		check("action", action, ACTION, "a letter followed by letters, digits, '_' or '-'");
	}

	/**
	 * Parse a channel name written {@code entity/id/action}.
	 * @param channel the channel name
	 * @return the parsed name
	 * @throws InvalidChannelException if the name does not have three valid parts
	 */
	public static ChannelName parse(String channel) {
		String[] parts = channel.split("/", -1);
		if (parts.length != 3) {
			throw new InvalidChannelException("Channel must be written entity/id/action");
		}
		return new ChannelName(parts[0], parts[1], parts[2]);
	}

	/**
	 * Check whether a string is a valid entity name.
	 * @param entity the candidate
	 * @return whether {@link ChannelName} would accept it as an entity
	 */
	public static boolean isValidEntity(String entity) {
		return entity.length() <= MAX_PART_LENGTH && ENTITY.matcher(entity).matches();
	}

	/**
	 * Check whether a string is a valid action name.
	 * @param action the candidate
	 * @return whether {@link ChannelName} would accept it as an action
	 */
	public static boolean isValidAction(String action) {
		return action.length() <= MAX_PART_LENGTH && ACTION.matcher(action).matches();
	}

	private static void check(String part, String value, Pattern pattern, String expected) {
		if (value == null || value.isEmpty()) {
			throw new InvalidChannelException("Channel " + part + " must not be empty");
		}
		if (value.length() > MAX_PART_LENGTH) {
			throw new InvalidChannelException(
					"Channel " + part + " must be at most " + MAX_PART_LENGTH + " characters");
		}
		if (!pattern.matcher(value).matches()) {
			throw new InvalidChannelException("Channel " + part + " must be " + expected);
		}
	}

	@Override
	public String toString() {
		return this.entity + "/" + this.id + "/" + this.action;
	}

}
