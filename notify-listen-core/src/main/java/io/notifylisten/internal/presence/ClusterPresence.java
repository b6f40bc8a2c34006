package io.notifylisten.internal.presence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.presence.Presence;
import io.notifylisten.presence.PresenceMember;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.simp.SimpMessageSendingOperations;

/**
 * Presence on every node, in two halves: {@link LocalMembers}, this node's members,
 * written to the notification log, and {@link ClusterMembers}, every node's members, read
 * back from it and sent to this node's subscribers. One thread drives both: it writes
 * this node's records, sends the lists that waited too long, and lets silent nodes'
 * members go.
 *
 * <p>
 * Why it holds across nodes without a coordinator: every node builds the same view of all
 * members from what the log delivers, its own records included; a node writes its joins
 * and leaves in batches and, every third of {@code node-timeout}, all its members (a
 * snapshot), which mends any record that failed and is its heart-beat: a node not heard
 * from for {@code node-timeout} is taken for dead and its members leave everywhere.
 */
public class ClusterPresence implements Presence, SmartLifecycle {

	/**
	 * MESSAGE header that says whether a presence frame is the list ({@code here}) or a
	 * change.
	 */
	public static final String FRAME_HEADER = "notify-listen-presence";

	private static final Log logger = LogFactory.getLog(ClusterPresence.class);

	private final LocalMembers local;

	private final ClusterMembers cluster;

	private final Duration publishInterval;

	private final Duration nodeTimeout;

	private @Nullable ScheduledExecutorService worker;

	private volatile boolean running;

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
		this(new LocalMembers(UUID.randomUUID().toString(), destinations, log, clock, nodeTimeout), destinations,
				messagingTemplate, events, clock, publishInterval, nodeTimeout, maxMembers);
	}

	private ClusterPresence(LocalMembers local, ChannelDestinations destinations,
			Supplier<SimpMessageSendingOperations> messagingTemplate, ApplicationEventPublisher events, Clock clock,
			Duration publishInterval, Duration nodeTimeout, int maxMembers) {
		this(local, new ClusterMembers(local, destinations, messagingTemplate, events, clock, publishInterval,
				nodeTimeout, maxMembers), publishInterval, nodeTimeout);
	}

	/**
	 * Create the presence of one node from its two halves.
	 * @param local this node's members
	 * @param cluster every node's members, this node's included
	 * @param publishInterval how often this node's joins and leaves are written
	 * @param nodeTimeout how long a node may stay silent before its members leave
	 */
	ClusterPresence(LocalMembers local, ClusterMembers cluster, Duration publishInterval, Duration nodeTimeout) {
		this.local = local;
		this.cluster = cluster;
		this.publishInterval = publishInterval;
		this.nodeTimeout = nodeTimeout;
	}

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
		this.local.join(sessionId, subscriptionId, presence, username, member);
	}

	/**
	 * End a presence subscription; its user leaves when it was their last one on this
	 * node.
	 * @param sessionId the connection's session
	 * @param subscriptionId the subscription, which may not be a presence one
	 */
	public void leave(String sessionId, String subscriptionId) {
		this.local.leave(sessionId, subscriptionId);
	}

	/**
	 * End every presence subscription of a connection that closed.
	 * @param sessionId the connection's session
	 */
	public void leaveAll(String sessionId) {
		this.local.leaveAll(sessionId);
	}

	/**
	 * Send a new subscriber the members present now, itself among them, once its join has
	 * come back through the log.
	 * @param sessionId the subscriber's session
	 * @param subscriptionId its presence subscription, joined already
	 * @param sender sends the frame to the subscription
	 * @see ClusterMembers#here
	 */
	public void here(String sessionId, String subscriptionId, Consumer<Map<String, Object>> sender) {
		this.cluster.here(sessionId, subscriptionId, sender);
	}

	/**
	 * Take in a record the notification log delivered.
	 * @param message the record
	 * @param heardAt when it was written to the log, for a record this node reads from
	 * before it started; {@code null} when it arrives live
	 * @see ClusterMembers#accept
	 */
	public void accept(NotifyMessage message, @Nullable Instant heardAt) {
		this.cluster.accept(message, heardAt);
	}

	@Override
	public List<PresenceMember> members(String entity, Object id) {
		return this.cluster.members(new PresenceName(entity, String.valueOf(id)));
	}

	// Runs on the presence thread only, so records leave in the order of their sequence.
	void publish() {
		try {
			this.local.write();
		}
		finally {
			this.cluster.sendOverdueLists();
		}
	}

	// Runs on the presence thread.
	void sweep() {
		this.cluster.sweep();
	}

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
				this.local.writeGone();
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

}
