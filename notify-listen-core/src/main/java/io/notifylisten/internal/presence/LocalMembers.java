package io.notifylisten.internal.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.presence.PresenceRecord.Change;
import io.notifylisten.internal.presence.PresenceRecord.Kind;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.presence.PresenceMember;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * This node's members: the users with at least one presence subscription on this node,
 * whose joins and leaves are written to the notification log in batches, with a snapshot
 * of all of them every third of the node timeout.
 *
 * <p>
 * Why batches: a crowd joining at once costs one record per publish interval, and so one
 * message per subscriber, instead of one per join. Why snapshots: one mends any record
 * that failed, and it is the node's heart-beat, by which the others tell a live node from
 * a dead one. A node without members writes one empty snapshot and then nothing: there is
 * nothing of it to expire.
 */
final class LocalMembers {

	private static final Log logger = LogFactory.getLog(LocalMembers.class);

	private final String node;

	private final ChannelDestinations destinations;

	private final Supplier<NotificationLog> log;

	private final Clock clock;

	private final Duration nodeTimeout;

	private final Object lock = new Object();

	/**
	 * Object, username, and how many of the user's subscriptions hold them on this node.
	 */
	private final Map<PresenceName, Map<String, LocalMember>> members = new HashMap<>();

	/** Session id to subscription id to the object it is present on, and as whom. */
	private final Map<String, Map<String, Held>> subscriptions = new HashMap<>();

	private List<Change> pending = new ArrayList<>();

	private long sequence;

	private Instant nextSnapshot = Instant.MIN;

	/**
	 * Whether the last snapshot written had no members; a node starts with nothing to
	 * say.
	 */
	private boolean saidEmpty = true;

	// Only the presence thread writes, so it needs no lock.
	private boolean warnedOnce;

	/**
	 * Create this node's members.
	 * @param node the id this node writes its records under, new with every start
	 * @param destinations names the destination of the log's presence records
	 * @param log where records go; asked for at the first one, the log delivers to the
	 * presence
	 * @param clock tells when a snapshot is due
	 * @param nodeTimeout how long a node may stay silent before its members leave
	 */
	LocalMembers(String node, ChannelDestinations destinations, Supplier<NotificationLog> log, Clock clock,
			Duration nodeTimeout) {
		this.node = node;
		this.destinations = destinations;
		this.log = log;
		this.clock = clock;
		this.nodeTimeout = nodeTimeout;
	}

	String node() {
		return this.node;
	}

	/**
	 * Add a subscription's user to an object's members, if not there already.
	 * @param sessionId the connection's session
	 * @param subscriptionId the presence subscription
	 * @param presence the object
	 * @param username the user
	 * @param member what the others see of the user
	 */
	void join(String sessionId, String subscriptionId, PresenceName presence, String username, PresenceMember member) {
		synchronized (this.lock) {
			Held previous = this.subscriptions.computeIfAbsent(sessionId, (id) -> new HashMap<>())
				.put(subscriptionId, new Held(presence, username));
			if (previous != null) {
				release(previous);
			}
			LocalMember held = this.members.computeIfAbsent(presence, (name) -> new LinkedHashMap<>())
				.computeIfAbsent(username, (name) -> new LocalMember(member));
			if (held.subscriptions++ == 0) {
				this.pending.add(new Change(true, presence, username, held.member));
			}
		}
	}

	/**
	 * End a presence subscription; its user leaves when it was their last one on this
	 * node.
	 * @param sessionId the connection's session
	 * @param subscriptionId the subscription, which may not be a presence one
	 */
	void leave(String sessionId, String subscriptionId) {
		synchronized (this.lock) {
			Map<String, Held> held = this.subscriptions.get(sessionId);
			Held subscription = (held != null) ? held.remove(subscriptionId) : null;
			if (subscription != null) {
				release(subscription);
			}
		}
	}

	/**
	 * End every presence subscription of a connection that closed.
	 * @param sessionId the connection's session
	 */
	void leaveAll(String sessionId) {
		synchronized (this.lock) {
			Map<String, Held> held = this.subscriptions.remove(sessionId);
			if (held != null) {
				held.values().forEach(this::release);
			}
		}
	}

	private void release(Held subscription) {
		PresenceName presence = subscription.presence();
		String username = subscription.username();
		Map<String, LocalMember> members = this.members.get(presence);
		LocalMember held = (members != null) ? members.get(username) : null;
		if (held == null || --held.subscriptions > 0) {
			return;
		}
		members.remove(username);
		if (members.isEmpty()) {
			this.members.remove(presence);
		}
		this.pending.add(new Change(false, presence, username, held.member));
	}

	/**
	 * The object a presence subscription is on and the member it holds there.
	 * @param sessionId the connection's session
	 * @param subscriptionId the presence subscription
	 * @return the change that joined it, or {@code null} once it has left
	 */
	@Nullable Change subscription(String sessionId, String subscriptionId) {
		synchronized (this.lock) {
			Held held = held(sessionId, subscriptionId);
			if (held == null) {
				return null;
			}
			return new Change(true, held.presence(), held.username(),
					this.members.get(held.presence()).get(held.username()).member);
		}
	}

	/**
	 * Whether a presence subscription is still held.
	 * @param sessionId the connection's session
	 * @param subscriptionId the presence subscription
	 * @return whether it has not left
	 */
	boolean holds(String sessionId, String subscriptionId) {
		synchronized (this.lock) {
			return held(sessionId, subscriptionId) != null;
		}
	}

	private @Nullable Held held(String sessionId, String subscriptionId) {
		Map<String, Held> held = this.subscriptions.get(sessionId);
		return (held != null) ? held.get(subscriptionId) : null;
	}

	/**
	 * Whether this node has a member on an object.
	 * @param presence the object
	 * @return whether a subscription of this node is present on it
	 */
	boolean isPresentOn(PresenceName presence) {
		synchronized (this.lock) {
			return this.members.containsKey(presence);
		}
	}

	/**
	 * Write the joins and leaves gathered since the last call as one record, and a
	 * snapshot when one is due. Called from one thread only, so that records leave in the
	 * order of their sequence; a record the log refuses is carried by the next snapshot,
	 * due at once.
	 */
	void write() {
		List<Change> changes;
		List<Change> snapshot = null;
		long changeSequence;
		long snapshotSequence = 0;
		Instant now = this.clock.instant();
		synchronized (this.lock) {
			// A node without members has nothing for the others to expire: it says so
			// once, then stays quiet, and takes no room in the log's outbox while the
			// broker is away.
			boolean snapshotDue = !now.isBefore(this.nextSnapshot) && !(this.members.isEmpty() && this.saidEmpty);
			if (this.pending.isEmpty() && !snapshotDue) {
				return;
			}
			changes = this.pending;
			this.pending = new ArrayList<>();
			changeSequence = changes.isEmpty() ? 0 : ++this.sequence;
			if (snapshotDue) {
				snapshot = new ArrayList<>();
				for (Map.Entry<PresenceName, Map<String, LocalMember>> object : this.members.entrySet()) {
					for (Map.Entry<String, LocalMember> member : object.getValue().entrySet()) {
						snapshot.add(new Change(true, object.getKey(), member.getKey(), member.getValue().member));
					}
				}
				snapshotSequence = ++this.sequence;
				this.nextSnapshot = now.plus(this.nodeTimeout.dividedBy(3));
				this.saidEmpty = snapshot.isEmpty();
			}
		}
		try {
			if (!changes.isEmpty()) {
				append(new PresenceRecord(this.node, changeSequence, Kind.CHANGE, changes), now);
			}
			if (snapshot != null) {
				append(new PresenceRecord(this.node, snapshotSequence, Kind.SNAPSHOT, snapshot), now);
			}
			this.warnedOnce = false;
		}
		catch (RuntimeException ex) {
			// The next snapshot, due at once, carries what this record would have.
			synchronized (this.lock) {
				this.nextSnapshot = Instant.MIN;
				this.saidEmpty = false;
			}
			if (!this.warnedOnce) {
				this.warnedOnce = true;
				logger.warn("Presence could not be written to the notification log; other nodes learn of this node's "
						+ "members once it can: " + ex.getMessage());
			}
		}
	}

	/**
	 * Tell the other nodes that this node stops, so that they let its members go now, not
	 * after the node timeout.
	 * @throws RuntimeException if the log refuses the record
	 */
	void writeGone() {
		long last;
		synchronized (this.lock) {
			last = ++this.sequence;
		}
		append(new PresenceRecord(this.node, last, Kind.GONE, List.of()), this.clock.instant());
	}

	private void append(PresenceRecord record, Instant now) {
		this.log.get()
			.append(new LoggedNotification(this.destinations.presenceRecords(), Map.of(), record.toMessage(now)));
	}

	private record Held(PresenceName presence, String username) {

	}

	private static final class LocalMember {

		private final PresenceMember member;

		private int subscriptions;

		private LocalMember(PresenceMember member) {
			this.member = member;
		}

	}

}
