package io.notifylisten.internal.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.presence.Presence;
import io.notifylisten.presence.PresenceMember;
import org.jspecify.annotations.Nullable;

/**
 * What one node tells the others through the notification log: members who joined or left
 * on it ({@link Kind#CHANGE}), all its members ({@link Kind#SNAPSHOT}, sent every third
 * of the node timeout, which doubles as the node's heart-beat), or that it stops
 * ({@link Kind#GONE}).
 *
 * <p>
 * It travels as a {@link NotifyMessage} to the log's presence destination, so that both
 * logs carry it as they carry notifications, with the same outbox and confirms; entries
 * are lists of strings, which come back from JSON as they went in.
 *
 * @param node the id of the node that sent it, new with every start
 * @param sequence counts the node's records from 1; a reader skips what it has seen
 * @param kind what the record says
 * @param changes the joins and leaves in the order they happened, or all members for a
 * snapshot
 */
record PresenceRecord(String node, long sequence, Kind kind, List<Change> changes) {

	private static final String ENTITY = "Presence";

	enum Kind {

		CHANGE, SNAPSHOT, GONE

	}

	/**
	 * One member on one object.
	 *
	 * @param joined whether the member joined, or left
	 * @param presence the object
	 * @param username the user, which identifies the member among the nodes and never
	 * leaves them
	 * @param member what pages see of the user
	 */
	record Change(boolean joined, PresenceName presence, String username, PresenceMember member) {

	}

	NotifyMessage toMessage(Instant now) {
		List<List<String>> entries = new ArrayList<>(this.changes.size());
		for (Change change : this.changes) {
			PresenceMember member = change.member();
			entries.add(List.of(change.joined() ? "+" : "-", change.presence().entity(), change.presence().id(),
					change.username(), member.id(), member.name(),
					(member.avatarUrl() != null) ? member.avatarUrl() : ""));
		}
		return new NotifyMessage(ENTITY, this.node, this.kind.name(), now, NotifyMessage.SYSTEM,
				Map.of("sequence", this.sequence, "changes", entries));
	}

	/**
	 * Read a record back from its message.
	 * @param message the message the log delivered
	 * @return the record
	 * @throws IllegalArgumentException if the message is not a presence record
	 */
	static PresenceRecord of(NotifyMessage message) {
		try {
			Kind kind = Kind.valueOf(message.action());
			long sequence = ((Number) message.payload().get("sequence")).longValue();
			List<Change> changes = new ArrayList<>();
			for (Object entry : (List<?>) message.payload().get("changes")) {
				List<?> fields = (List<?>) entry;
				String avatarUrl = (String) fields.get(6);
				changes.add(new Change("+".equals(fields.get(0)),
						new PresenceName((String) fields.get(1), (String) fields.get(2)), (String) fields.get(3),
						new PresenceMember((String) fields.get(4), (String) fields.get(5), nonEmpty(avatarUrl))));
			}
			return new PresenceRecord(message.id(), sequence, kind, changes);
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Not a presence record: " + ex.getMessage(), ex);
		}
	}

	private static @Nullable String nonEmpty(String value) {
		return value.isEmpty() ? null : value;
	}

}
