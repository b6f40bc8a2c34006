package io.notifylisten.presence;

import java.util.List;

/**
 * Who is present on an object now, on every node: each user once, however many pages they
 * have open on it. Joins and leaves are also published as {@link PresenceJoinedEvent} and
 * {@link PresenceLeftEvent} application events.
 */
public interface Presence {

	/**
	 * Return the members present on an object.
	 * @param entity entity name, for example {@code Order}
	 * @param id entity id, for example {@code 42}
	 * @return the members in the order they joined, empty when nobody is there
	 */
	List<PresenceMember> members(String entity, Object id);

}
