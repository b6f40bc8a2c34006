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
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.presence.PresenceRecord.Change;
import io.notifylisten.internal.presence.PresenceRecord.Kind;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.presence.Presence;
import io.notifylisten.presence.PresenceJoinedEvent;
import io.notifylisten.presence.PresenceLeftEvent;
import io.notifylisten.presence.PresenceMember;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.simp.SimpMessageSendingOperations;

/**
 * Presence on every node. Each node keeps its own members (users with at least one
 * presence subscription on the node) and tells the others through the notification log;
 * every node builds the same view of all members from what the log delivers, its own
 * records included, and sends the changes to its own subscribers.
 *
 * <p>
 * Why it holds across nodes without a coordinator: a node writes its joins and leaves to
 * the log in batches, one record per {@code publish-interval} at most, so a crowd joining
 * at once costs one message per subscriber per batch instead of one per join. Every third
 * of {@code node-timeout} it writes all its members (a snapshot), which mends any record
 * that failed and is its heart-beat: a node not heard from for {@code node-timeout} is
 * taken for dead and its members leave everywhere. A node without members writes one
 * empty snapshot and then nothing: there is nothing of it to expire.
 *
 * <p>
 * What a subscriber receives: one {@value #FRAME_HEADER}{@code : here} frame when it
 * subscribes (the members, or only their count beyond {@code max-members}), then
 * {@code change} frames. Both carry a version that grows with every change of that object
 * on this node, so a client that gets a change before the list it belongs after can tell.
 * It counts that object's changes only: a version shared by all objects would show a page
 * each time someone opened or closed an object the page may not read.
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
public class ClusterPresence implements Presence, SmartLifecycle {

	/**
	 * MESSAGE header that says whether a presence frame is the list ({@code here}) or a
	 * change.
	 */
	public static final String FRAME_HEADER = "notify-listen-presence";

	private static final Log logger = LogFactory.getLog(ClusterPresence.class);

	/**
	 * How long, beyond the publish interval, a list waits for its subscriber's join to
	 * come back.
	 */
	static final Duration HERE_WAIT = Duration.ofSeconds(1);

	private final String node = UUID.randomUUID().toString();

	private final ChannelDestinations destinations;

	private final Supplier<NotificationLog> log;

	private final Supplier<SimpMessageSendingOperations> messagingTemplate;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final Duration publishInterval;

	private final Duration nodeTimeout;

	private final int maxMembers;

	private final Object localLock = new Object();

	/**
	 * This node's members: object, username, how many of the user's subscriptions hold
	 * them here.
	 */
	private final Map<PresenceName, Map<String, LocalMember>> local = new HashMap<>();

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

	private final Object viewLock = new Object();

	private final Map<String, NodeMembers> nodes = new HashMap<>();

	private final Map<PresenceName, Crowd> crowds = new HashMap<>();

	/** The objects with subscribers whose list waits for their own join. */
	private final Set<PresenceName> listsWaiting = new LinkedHashSet<>();

	private @Nullable ScheduledExecutorService worker;

	private volatile boolean running;

	private boolean warnedOnce;

	/**
	 * Create the presence of one node.
	 * @param destinations names the destinations of subscribers and of the log's records
	 * @param log where records go; asked for at the first one, the log delivers to this
	 * object
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
	public ClusterPresence(ChannelDestinations destinations, Supplier<NotificationLog> log,
			Supplier<SimpMessageSendingOperations> messagingTemplate, ApplicationEventPublisher events, Clock clock,
			Duration publishInterval, Duration nodeTimeout, int maxMembers) {
		this.destinations = destinations;
		this.log = log;
		this.messagingTemplate = messagingTemplate;
		this.events = events;
		this.clock = clock;
		this.publishInterval = publishInterval;
		this.nodeTimeout = nodeTimeout;
		this.maxMembers = maxMembers;
	}

	// ---- this node's members ----

	/**
	 * Add a subscription's user to an object's members, if not there already.
	 * @param sessionId the connection's session
	 * @param subscriptionId the presence subscription
	 * @param presence the object
	 * @param username the user
	 * @param member what the others see of the user
	 */
	public void join(String sessionId, String subscriptionId, PresenceName presence, String username,
			PresenceMember member) {
		synchronized (this.localLock) {
			Held previous = this.subscriptions.computeIfAbsent(sessionId, (id) -> new HashMap<>())
				.put(subscriptionId, new Held(presence, username));
			if (previous != null) {
				release(previous);
			}
			LocalMember held = this.local.computeIfAbsent(presence, (name) -> new LinkedHashMap<>())
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
	public void leave(String sessionId, String subscriptionId) {
		synchronized (this.localLock) {
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
	public void leaveAll(String sessionId) {
		synchronized (this.localLock) {
			Map<String, Held> held = this.subscriptions.remove(sessionId);
			if (held != null) {
				held.values().forEach(this::release);
			}
		}
	}

	private void release(Held subscription) {
		PresenceName presence = subscription.presence();
		String username = subscription.username();
		Map<String, LocalMember> members = this.local.get(presence);
		LocalMember held = (members != null) ? members.get(username) : null;
		if (held == null || --held.subscriptions > 0) {
			return;
		}
		members.remove(username);
		if (members.isEmpty()) {
			this.local.remove(presence);
		}
		this.pending.add(new Change(false, presence, username, held.member));
	}

	// Runs on the presence thread only, so records leave in the order of their sequence.
	void publish() {
		try {
			write();
		}
		finally {
			sendOverdueLists();
		}
	}

	private void write() {
		List<Change> changes;
		List<Change> snapshot = null;
		long changeSequence;
		long snapshotSequence = 0;
		Instant now = this.clock.instant();
		synchronized (this.localLock) {
			// A node without members has nothing for the others to expire: it says so
			// once, then stays quiet, and takes no room in the log's outbox while the
			// broker is away.
			boolean snapshotDue = !now.isBefore(this.nextSnapshot) && !(this.local.isEmpty() && this.saidEmpty);
			if (this.pending.isEmpty() && !snapshotDue) {
				return;
			}
			changes = this.pending;
			this.pending = new ArrayList<>();
			changeSequence = changes.isEmpty() ? 0 : ++this.sequence;
			if (snapshotDue) {
				snapshot = new ArrayList<>();
				for (Map.Entry<PresenceName, Map<String, LocalMember>> object : this.local.entrySet()) {
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
			synchronized (this.localLock) {
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

	private void append(PresenceRecord record, Instant now) {
		this.log.get()
			.append(new LoggedNotification(this.destinations.presenceRecords(), Map.of(), record.toMessage(now)));
	}

	// ---- every node's members ----

	/**
	 * Take in a record the notification log delivered: update the view and tell this
	 * node's subscribers and the application what changed.
	 * @param message the record
	 * @param heardAt when it was written to the log, for a record this node reads from
	 * before it started; {@code null} when it arrives live
	 */
	public void accept(NotifyMessage message, @Nullable Instant heardAt) {
		PresenceRecord record;
		try {
			record = PresenceRecord.of(message);
		}
		catch (IllegalArgumentException ex) {
			logger.warn("Skipped a presence record: " + ex.getMessage());
			return;
		}
		if (record.kind() == Kind.GONE && record.node().equals(this.node)) {
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
		synchronized (this.viewLock) {
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

	// Under the view lock, so that versions reach the broker in order and a "here" frame
	// sits between two changes.
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
		if (crowd.members.isEmpty() && !subscribedHere(presence)) {
			this.crowds.remove(presence);
		}
	}

	private boolean subscribedHere(PresenceName presence) {
		synchronized (this.localLock) {
			return this.local.containsKey(presence);
		}
	}

	private void send(String destination, Map<String, Object> frame, String kind) {
		this.messagingTemplate.get().convertAndSend(destination, frame, Map.of(FRAME_HEADER, kind));
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
	public void here(String sessionId, String subscriptionId, Consumer<Map<String, Object>> sender) {
		Held subscription;
		PresenceMember self;
		synchronized (this.localLock) {
			subscription = held(sessionId, subscriptionId);
			if (subscription == null) {
				// It left before the broker had taken its SUBSCRIBE: there is nobody to
				// tell.
				return;
			}
			self = this.local.get(subscription.presence()).get(subscription.username()).member;
		}
		Instant deadline = this.clock.instant().plus(this.publishInterval).plus(HERE_WAIT);
		synchronized (this.viewLock) {
			Crowd crowd = crowd(subscription.presence());
			crowd.waiting
				.add(new WaitingList(sessionId, subscriptionId, subscription.username(), self, sender, deadline));
			this.listsWaiting.add(subscription.presence());
			sendLists(subscription.presence(), false);
		}
	}

	private @Nullable Held held(String sessionId, String subscriptionId) {
		Map<String, Held> held = this.subscriptions.get(sessionId);
		return (held != null) ? held.get(subscriptionId) : null;
	}

	// Under the view lock: sends the lists whose subscriber the view now holds, or, when
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
			boolean subscribed;
			synchronized (this.localLock) {
				subscribed = held(list.sessionId(), list.subscriptionId()) != null;
			}
			if (subscribed) {
				list.sender().accept(hereFrame(crowd, list.username(), list.self()));
			}
		}
		if (crowd.waiting.isEmpty()) {
			this.listsWaiting.remove(presence);
		}
	}

	private void sendOverdueLists() {
		synchronized (this.viewLock) {
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

	@Override
	public List<PresenceMember> members(String entity, Object id) {
		synchronized (this.viewLock) {
			Crowd crowd = this.crowds.get(new PresenceName(entity, String.valueOf(id)));
			return (crowd != null) ? crowd.list() : List.of();
		}
	}

	// Runs on the presence thread: nodes that stopped writing snapshots have their
	// members leave.
	void sweep() {
		Instant deadline = this.clock.instant().minus(this.nodeTimeout);
		List<Object> happened = new ArrayList<>();
		synchronized (this.viewLock) {
			Map<PresenceName, CrowdChange> changed = new LinkedHashMap<>();
			for (Iterator<Map.Entry<String, NodeMembers>> it = this.nodes.entrySet().iterator(); it.hasNext();) {
				Map.Entry<String, NodeMembers> entry = it.next();
				NodeMembers silent = entry.getValue();
				if (entry.getKey().equals(this.node) || !silent.lastHeard.isBefore(deadline)) {
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
				.removeIf((entry) -> entry.getValue().members.isEmpty() && !subscribedHere(entry.getKey()));
		}
		happened.forEach(this::publishEvent);
	}

	// ---- lifecycle ----

	@Override
	public void start() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "notify-listen-presence");
			thread.setDaemon(true);
			return thread;
		});
		long interval = Math.max(1, this.publishInterval.toMillis());
		executor.scheduleWithFixedDelay(this::publishSafely, 0, interval, TimeUnit.MILLISECONDS);
		long sweepEvery = Math.max(100, this.nodeTimeout.toMillis() / 10);
		executor.scheduleWithFixedDelay(this::sweepSafely, sweepEvery, sweepEvery, TimeUnit.MILLISECONDS);
		this.worker = executor;
		this.running = true;
	}

	private void publishSafely() {
		try {
			publish();
		}
		catch (RuntimeException ex) {
			logger.warn("Presence could not publish", ex);
		}
	}

	private void sweepSafely() {
		try {
			sweep();
		}
		catch (RuntimeException ex) {
			logger.warn("Presence could not check for silent nodes", ex);
		}
	}

	@Override
	public void stop() {
		this.running = false;
		ScheduledExecutorService executor = this.worker;
		if (executor == null) {
			return;
		}
		executor.shutdown();
		try {
			if (executor.awaitTermination(5, TimeUnit.SECONDS)) {
				// Other nodes let this node's members go now, not after the node timeout.
				long last;
				synchronized (this.localLock) {
					last = ++this.sequence;
				}
				append(new PresenceRecord(this.node, last, Kind.GONE, List.of()), this.clock.instant());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			logger.debug("Presence could not say that this node stops: " + ex.getMessage());
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	// After the notification log starts, before it stops: the log's phase is lower.
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 2048;
	}

	private record Held(PresenceName presence, String username) {

	}

	/** A new subscriber's list, until the view holds its user or the deadline passes. */
	private record WaitingList(String sessionId, String subscriptionId, String username, PresenceMember self,
			Consumer<Map<String, Object>> sender, Instant deadline) {

	}

	private static final class LocalMember {

		private final PresenceMember member;

		private int subscriptions;

		private LocalMember(PresenceMember member) {
			this.member = member;
		}

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
