package io.notifylisten.internal.presence;

import io.notifylisten.notify.NotifyMessage;

/**
 * What the notification log may know of a presence record without reading its members:
 * which node wrote it, and whether it makes that node's earlier records redundant.
 * Presence is state, not a history: while the broker is away, a log keeps a node's latest
 * snapshot and the changes after it, not every join and leave.
 */
public final class PresenceRecords {

	private PresenceRecords() {
	}

	/**
	 * Return the node that wrote a record.
	 * @param record a presence record as the log carries it
	 * @return the node's id
	 */
	public static String node(NotifyMessage record) {
		return record.id();
	}

	/**
	 * Return whether a record says all there is to know of its node: a snapshot or the
	 * node's goodbye, after which no earlier record of the node changes anything a reader
	 * builds.
	 * @param record a presence record as the log carries it
	 * @return whether the node's earlier records may be left out
	 */
	public static boolean replacesEarlier(NotifyMessage record) {
		String kind = record.action();
		return PresenceRecord.Kind.SNAPSHOT.name().equals(kind) || PresenceRecord.Kind.GONE.name().equals(kind);
	}

}
