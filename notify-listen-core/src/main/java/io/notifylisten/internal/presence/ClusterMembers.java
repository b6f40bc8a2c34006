package io.notifylisten.internal.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.presence.PresenceRecord.Change;
import io.notifylisten.internal.presence.PresenceRecord.Kind;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.presence.PresenceJoinedEvent;
import io.notifylisten.presence.PresenceLeftEvent;
import io.notifylisten.presence.PresenceMember;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.messaging.simp.SimpMessageSendingOperations;

/**
 * Every node's members, as the records the notification log delivers tell them, this
 * node's own included: what this node's presence subscribers receive, the joins and
 * leaves the application hears of, and the leaving of a node not heard from for the node
 * timeout.
 *
 * <p>
 * What a subscriber receives: one {@value ClusterPresence#FRAME_HEADER}{@code : here}
 * frame when it subscribes (the members, or only their count beyond {@code max-members}),
 * then {@code change} frames. Both carry a version that grows with every change of that
 * object on this node, so a client that gets a change before the list it belongs after
 * can tell. It counts that object's changes only: a version shared by all objects would
 * show a page each time someone opened or closed an object the page may not read.
 *
 * <p>
 * Why the list waits for the subscriber's own join: the list names the subscriber, and so
 * must every change after it. Sent before the join had come back through the log, the
 * list would be followed by changes whose count and members leave the subscriber out, and
 * then by one that announces it joining. So the list goes once the view holds the
 * subscriber, after the change that brought it (a change a client skips, its version
 * being the list's); only when the log takes longer than {@link #HERE_WAIT} beyond the
 * publish interval, as while the broker is away, is it sent with the subscriber added.
 */
final class ClusterMembers {

	private static final Log logger = LogFactory.getLog(ClusterMembers.class);

	/**
	 * How long, beyond the publish interval, a list waits for its subscriber's join to
	 * come back.
	 */
	static final Duration HERE_WAIT = Duration.ofSeconds(1);

	private final LocalMembers local;

	private final ChannelDestinations destinations;

	private final Supplier<SimpMessageSendingOperations> messagingTemplate;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final Duration publishInterval;

	private final Duration nodeTimeout;

	private final int maxMembers;

	// Taken before the local members' lock, never after it.
	private final Object lock = new Object();

	private final Map<String, NodeMembers> nodes = new HashMap<>();

	private final Map<PresenceName, Crowd> crowds = new HashMap<>();

	/** The objects with subscribers whose list waits for their own join. */
	private final Set<PresenceName> listsWaiting = new LinkedHashSet<>();

	/**
	 * Create the view of every node's members.
	 * @param local this node's members: its own records, and its subscriptions that wait
	 * for a list
	 * @param destinations names the destinations of subscribers
	 * @param messagingTemplate sends changes to this node's subscribers; asked for at the
	 * first one
	 * @param events publishes joins and leaves to the application
	 * @param clock tells when a node was last heard from
	 * @param publishInterval how long joins and leaves gather before they are written as
	 * one record
	 * @param nodeTimeout how long a node may stay silent before its members leave
	 * @param maxMembers the most members subscribers are shown; beyond it, only their
	 * count
	 */
	ClusterMembers(LocalMembers local, ChannelDestinations destinations,
			Supplier<SimpMessageSendingOperations> messagingTemplate, ApplicationEventPublisher events, Clock clock,
			Duration publishInterval, Duration nodeTimeout, int maxMembers) {
		this.local = local;
		this.destinations = destinations;
		this.messagingTemplate = messagingTemplate;
		this.events = events;
		this.clock = clock;
		this.publishInterval = publishInterval;
		this.nodeTimeout = nodeTimeout;
		this.maxMembers = maxMembers;
	}

	/**
	 * Take in a record the notification log delivered: update the view and tell this
	 * node's subscribers and the application what changed.
	 * @param message the record
	 * @param heardAt when it was written to the log, for a record this node reads from
	 * before it started; {@code null} when it arrives live
	 */
	void accept(NotifyMessage message, @Nullable Instant heardAt) {
		PresenceRecord record;
		try {
			record = PresenceRecord.of(message);
		}
		catch (IllegalArgumentException ex) {
			logger.warn("Skipped a presence record: " + ex.getMessage());
			return;
		}
		if (record.kind() == Kind.GONE && record.node().equals(this.local.node())) {
			// This node stops: its own pages are about to be disconnected, and see the
			// list again on the node they reconnect to, not everyone leaving first.
			return;
		}
		Instant now = this.clock.instant();
		if (heardAt != null && heardAt.isBefore(now.minus(this.nodeTimeout))) {
			// From before this node started, and older than a live node's latest
			// snapshot.
			return;
		}
		List<Object> happened = new ArrayList<>();
		synchronized (this.lock) {
			NodeMembers sender = this.nodes.computeIfAbsent(record.node(), (id) -> new NodeMembers());
			if (record.sequence() <= sender.sequence) {
				return;
			}
			sender.sequence = record.sequence();
			sender.lastHeard = (heardAt != null) ? heardAt : now;
			Map<PresenceName, CrowdChange> changed = new LinkedHashMap<>();
			switch (record.kind()) {
				case CHANGE -> record.changes().forEach((change) -> apply(record.node(), sender, change, changed));
				case SNAPSHOT -> replace(record.node(), sender, record.changes(), changed);
				case GONE -> {
					replace(record.node(), sender, List.of(), changed);
					this.nodes.remove(record.node());
				}
			}
			announce(changed, happened);
		}
		happened.forEach(this::publishEvent);
	}

	private void apply(String node, NodeMembers sender, Change change, Map<PresenceName, CrowdChange> changed) {
		if (change.joined()) {
			Map<String, PresenceMember> members = sender.members.computeIfAbsent(change.presence(),
					(name) -> new LinkedHashMap<>());
			if (members.putIfAbsent(change.username(), change.member()) == null) {
				crowd(change.presence()).add(node, change, changed);
			}
			return;
		}
		Map<String, PresenceMember> members = sender.members.get(change.presence());
		if (members != null && members.remove(change.username()) != null) {
			if (members.isEmpty()) {
				sender.members.remove(change.presence());
			}
			crowd(change.presence()).remove(node, change, changed);
		}
	}

	// Brings a node's members to what it says it has now: what it no longer has leaves,
	// the rest joins.
	private void replace(String node, NodeMembers sender, List<Change> now, Map<PresenceName, CrowdChange> changed) {
		Set<String> kept = new LinkedHashSet<>();
		now.forEach((change) -> kept.add(change.presence() + "\n" + change.username()));
		List<Change> gone = new ArrayList<>();
		sender.members.forEach((presence, members) -> members.forEach((username, member) -> {
			if (!kept.contains(presence + "\n" + username)) {
				gone.add(new Change(false, presence, username, member));
			}
		}));
		gone.forEach((change) -> apply(node, sender, change, changed));
		now.forEach((change) -> apply(node, sender, change, changed));
	}

	private Crowd crowd(PresenceName presence) {
		return this.crowds.computeIfAbsent(presence, (name) -> new Crowd());
	}

	// Under the lock, so that versions reach the broker in order and a "here" frame sits
	// between two changes.
	private void announce(Map<PresenceName, CrowdChange> changed, List<Object> happened) {
		changed.forEach((presence, change) -> {
			Crowd crowd = this.crowds.get(presence);
			forgetIfIdle(presence, crowd);
			if (change.joining.isEmpty() && change.leaving.isEmpty()) {
				return;
			}
			for (Change joined : change.joining) {
				happened
					.add(new PresenceJoinedEvent(presence.entity(), presence.id(), joined.username(), joined.member()));
			}
			for (Change left : change.leaving) {
				happened.add(new PresenceLeftEvent(presence.entity(), presence.id(), left.username(), left.member()));
			}
			Map<String, Object> frame = new LinkedHashMap<>();
			frame.put("version", ++crowd.version);
			frame.put("count", crowd.members.size());
			if (crowd.members.size() > this.maxMembers) {
				frame.put("truncated", true);
			}
			else if (change.countBefore > this.maxMembers) {
				frame.put("members", crowd.list());
			}
			else {
				frame.put("joining", change.joining.stream().map(Change::member).toList());
				frame.put("leaving", change.leaving.stream().map(Change::member).toList());
			}
			send(this.destinations.destinationOf(presence), frame, "change");
		});
		changed.keySet().forEach((presence) -> sendLists(presence, false));
	}

	// An object's version may start again only when no subscriber here can hold the old
	// one: while this node has a subscription on it, the crowd stays, empty or not.
	private void forgetIfIdle(PresenceName presence, Crowd crowd) {
		if (crowd.members.isEmpty() && !this.local.isPresentOn(presence)) {
			this.crowds.remove(presence);
		}
	}

	private void send(String destination, Map<String, Object> frame, String kind) {
		this.messagingTemplate.get().convertAndSend(destination, frame, Map.of(ClusterPresence.FRAME_HEADER, kind));
	}

	private void publishEvent(Object event) {
		try {
			this.events.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn("A listener of " + event.getClass().getSimpleName() + " failed", ex);
		}
	}

	/**
	 * Send a new subscriber the members present now, itself among them, between the
	 * changes it missed and those it will get: at once if the view holds its user
	 * already, otherwise once its join has come back through the log.
	 * @param sessionId the subscriber's session
	 * @param subscriptionId its presence subscription, joined already
	 * @param sender sends the frame to the subscription
	 */
	void here(String sessionId, String subscriptionId, Consumer<Map<String, Object>> sender) {
		Change subscription = this.local.subscription(sessionId, subscriptionId);
		if (subscription == null) {
			// It left before the broker had taken its SUBSCRIBE: there is nobody to tell.
			return;
		}
		Instant deadline = this.clock.instant().plus(this.publishInterval).plus(HERE_WAIT);
		synchronized (this.lock) {
			Crowd crowd = crowd(subscription.presence());
			crowd.waiting.add(new WaitingList(sessionId, subscriptionId, subscription.username(), subscription.member(),
					sender, deadline));
			this.listsWaiting.add(subscription.presence());
			sendLists(subscription.presence(), false);
		}
	}

	// Under the lock: sends the lists whose subscriber the view now holds, or, when
	// overdue, all that waited past their deadline.
	private void sendLists(PresenceName presence, boolean overdue) {
		Crowd crowd = this.crowds.get(presence);
		if (crowd == null || crowd.waiting.isEmpty()) {
			this.listsWaiting.remove(presence);
			return;
		}
		Instant now = this.clock.instant();
		for (Iterator<WaitingList> it = crowd.waiting.iterator(); it.hasNext();) {
			WaitingList list = it.next();
			boolean present = crowd.members.containsKey(list.username());
			if (!present && !(overdue && !now.isBefore(list.deadline()))) {
				continue;
			}
			it.remove();
			if (this.local.holds(list.sessionId(), list.subscriptionId())) {
				list.sender().accept(hereFrame(crowd, list.username(), list.self()));
			}
		}
		if (crowd.waiting.isEmpty()) {
			this.listsWaiting.remove(presence);
		}
	}

	/**
	 * Send the lists that waited past their deadline for their subscriber's join, as
	 * while the broker is away, with the subscriber added.
	 */
	void sendOverdueLists() {
		synchronized (this.lock) {
			new ArrayList<>(this.listsWaiting).forEach((presence) -> sendLists(presence, true));
		}
	}

	private Map<String, Object> hereFrame(Crowd crowd, String username, PresenceMember self) {
		List<PresenceMember> members = new ArrayList<>(crowd.list());
		if (!crowd.members.containsKey(username)) {
			members.add(self);
		}
		Map<String, Object> frame = new LinkedHashMap<>();
		frame.put("version", crowd.version);
		frame.put("count", members.size());
		if (members.size() > this.maxMembers) {
			frame.put("truncated", true);
		}
		else {
			frame.put("members", members);
		}
		frame.put("me", self);
		return frame;
	}

	/**
	 * The members present on an object, on every node.
	 * @param presence the object
	 * @return its members, in the order they joined
	 */
	List<PresenceMember> members(PresenceName presence) {
		synchronized (this.lock) {
			Crowd crowd = this.crowds.get(presence);
			return (crowd != null) ? crowd.list() : List.of();
		}
	}

	/**
	 * Have the members of the nodes that stopped writing snapshots leave.
	 */
	void sweep() {
		Instant deadline = this.clock.instant().minus(this.nodeTimeout);
		List<Object> happened = new ArrayList<>();
		synchronized (this.lock) {
			Map<PresenceName, CrowdChange> changed = new LinkedHashMap<>();
			for (Iterator<Map.Entry<String, NodeMembers>> it = this.nodes.entrySet().iterator(); it.hasNext();) {
				Map.Entry<String, NodeMembers> entry = it.next();
				NodeMembers silent = entry.getValue();
				if (entry.getKey().equals(this.local.node()) || !silent.lastHeard.isBefore(deadline)) {
					continue;
				}
				int count = silent.members.values().stream().mapToInt(Map::size).sum();
				if (count > 0) {
					logger.info("Presence: node " + entry.getKey() + " not heard from for " + this.nodeTimeout
							+ ", its " + count + " member(s) leave");
				}
				replace(entry.getKey(), silent, List.of(), changed);
				it.remove();
			}
			announce(changed, happened);
			// Kept for a subscriber whose own join never came back through the log (the
			// broker was away), and no longer needed once it has left.
			this.crowds.entrySet()
				.removeIf((entry) -> entry.getValue().members.isEmpty() && !this.local.isPresentOn(entry.getKey()));
		}
		happened.forEach(this::publishEvent);
	}

	/** A new subscriber's list, until the view holds its user or the deadline passes. */
	private record WaitingList(String sessionId, String subscriptionId, String username, PresenceMember self,
			Consumer<Map<String, Object>> sender, Instant deadline) {

	}

	private static final class NodeMembers {

		private final Map<PresenceName, Map<String, PresenceMember>> members = new HashMap<>();

		private long sequence;

		private Instant lastHeard = Instant.MIN;

	}

	/** One object's members across nodes: a user stays while any node still has them. */
	private static final class Crowd {

		private final Map<String, CrowdMember> members = new LinkedHashMap<>();

		/**
		 * Grows with every change frame of this object: a subscriber's frames are ordered
		 * by it.
		 */
		private long version;

		private final List<WaitingList> waiting = new ArrayList<>(0);

		void add(String node, Change change, Map<PresenceName, CrowdChange> changed) {
			CrowdChange crowdChange = changed.computeIfAbsent(change.presence(),
					(name) -> new CrowdChange(this.members.size()));
			CrowdMember present = this.members.get(change.username());
			if (present == null) {
				present = new CrowdMember(change.member());
				this.members.put(change.username(), present);
				if (!crowdChange.leaving.removeIf((left) -> left.username().equals(change.username()))) {
					crowdChange.joining.add(change);
				}
			}
			present.nodes.add(node);
		}

		void remove(String node, Change change, Map<PresenceName, CrowdChange> changed) {
			CrowdChange crowdChange = changed.computeIfAbsent(change.presence(),
					(name) -> new CrowdChange(this.members.size()));
			CrowdMember present = this.members.get(change.username());
			if (present == null || !present.nodes.remove(node) || !present.nodes.isEmpty()) {
				return;
			}
			this.members.remove(change.username());
			if (!crowdChange.joining.removeIf((joined) -> joined.username().equals(change.username()))) {
				crowdChange.leaving.add(new Change(false, change.presence(), change.username(), present.member));
			}
		}

		List<PresenceMember> list() {
			return this.members.values().stream().map((present) -> present.member).toList();
		}

	}

	private static final class CrowdMember {

		private final PresenceMember member;

		private final Set<String> nodes = new LinkedHashSet<>(2);

		private CrowdMember(PresenceMember member) {
			this.member = member;
		}

	}

	/** What one record changed on one object, with the count before it. */
	private static final class CrowdChange {

		private final int countBefore;

		private final List<Change> joining = new ArrayList<>();

		private final List<Change> leaving = new ArrayList<>();

		private CrowdChange(int countBefore) {
			this.countBefore = countBefore;
		}

	}

}
