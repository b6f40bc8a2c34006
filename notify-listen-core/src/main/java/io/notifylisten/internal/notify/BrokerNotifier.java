package io.notifylisten.internal.notify;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.micrometer.observation.ObservationRegistry;
import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.ConnectionId;
import io.notifylisten.internal.channel.UserTopics;
import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.Notifier;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.notify.PayloadTooLargeException;
import io.notifylisten.notify.Progress;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.MessagingException;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * {@link Notifier} that appends messages to the {@link NotificationLog}, from which every
 * node delivers them to its own connections.
 */
public class BrokerNotifier implements Notifier {

	private static final AuthenticationTrustResolver trustResolver = new AuthenticationTrustResolverImpl();

	private final NotificationLog log;

	private final ChannelDestinations destinations;

	private final UserTopics userTopics;

	private final Clock clock;

	private final Options options;

	private final @Nullable String excludedConnection;

	/**
	 * Create a notifier.
	 * @param log takes every notification
	 * @param destinations maps channels to destinations
	 * @param userTopics names each user's topic
	 * @param clock stamps {@code changedAt}
	 */
	public BrokerNotifier(NotificationLog log, ChannelDestinations destinations, UserTopics userTopics, Clock clock) {
		this(log, destinations, userTopics, clock, Options.NONE);
	}

	/**
	 * Create a notifier with options.
	 * @param log takes every notification
	 * @param destinations maps channels to destinations
	 * @param userTopics names each user's topic
	 * @param clock stamps {@code changedAt}
	 * @param options payload limit, progress coalescing, observations and outbox
	 */
	public BrokerNotifier(NotificationLog log, ChannelDestinations destinations, UserTopics userTopics, Clock clock,
			Options options) {
		this(log, destinations, userTopics, clock, options, null);
	}

	private BrokerNotifier(NotificationLog log, ChannelDestinations destinations, UserTopics userTopics, Clock clock,
			Options options, @Nullable String excludedConnection) {
		this.log = log;
		this.destinations = destinations;
		this.userTopics = userTopics;
		this.clock = clock;
		this.options = options;
		this.excludedConnection = excludedConnection;
	}

	@Override
	public void notify(String entity, Object id, String action, Map<String, ?> payload) {
		NotifyMessage message = message(entity, id, action, payload);
		sendOnCommit(this.destinations.destinationOf(message.channel()), Map.of(), message);
	}

	@Override
	public void notifyEach(String entity, Collection<?> ids, String action) {
		List<Outgoing> outgoing = new ArrayList<>(ids.size());
		for (Object id : ids) {
			NotifyMessage message = message(entity, id, action, Map.of());
			outgoing.add(new Outgoing(this, this.destinations.destinationOf(message.channel()), Map.of(), message));
		}
		sendOnCommit(outgoing);
	}

	@Override
	public void broadcast(String entity, Object id, String action, Map<String, ?> payload) {
		notice(Map.of(), entity, id, action, payload);
	}

	@Override
	public void notifyRole(String authority, String entity, Object id, String action, Map<String, ?> payload) {
		Assert.hasText(authority, "Authority must not be empty");
		notice(Map.of(Targeting.ROLE_HEADER, authority), entity, id, action, payload);
	}

	@Override
	public void notifyConnection(String connectionId, String entity, Object id, String action, Map<String, ?> payload) {
		Assert.isTrue(ConnectionId.isValid(connectionId), "Invalid connection id");
		notice(Map.of(Targeting.CONNECTION_HEADER, connectionId), entity, id, action, payload);
	}

	@Override
	public ListenPosition positionOf(String entity, Object id) {
		// Checked as a channel's parts are: no page listens to an object no channel
		// names.
		new ChannelName(entity, String.valueOf(id), "position");
		Supplier<ListenPosition> positions = this.options.positions();
		if (positions == null) {
			throw new IllegalStateException("Positions need the history of recent messages, which is off: set "
					+ "notify-listen.history.enabled=true");
		}
		return positions.get();
	}

	@Override
	public Notifier toOthers() {
		String origin = originConnection();
		return (origin != null)
				? new BrokerNotifier(this.log, this.destinations, this.userTopics, this.clock, this.options, origin)
				: this;
	}

	private void notice(Map<String, String> target, String entity, Object id, String action, Map<String, ?> payload) {
		NotifyMessage message = message(entity, id, action, payload);
		sendOnCommit(this.destinations.noticeTopic(), target, message);
	}

	private void sendToChannel(NotifyMessage message) {
		append(this.destinations.destinationOf(message.channel()), Map.of(), message);
	}

	private void append(String destination, Map<String, String> target, NotifyMessage message) {
		append(destination, target, message, this.log::append);
	}

	private void append(String destination, Map<String, String> target, NotifyMessage message,
			Consumer<LoggedNotification> sink) {
		Map<String, String> headers = new LinkedHashMap<>(target);
		if (this.excludedConnection != null) {
			headers.put(Targeting.EXCLUDE_HEADER, this.excludedConnection);
		}
		// The notification is made once the observation started: a tracer has then
		// written the trace context into its headers.
		NotificationObservations.notifying(this.options.observationRegistry().get(), message, headers)
			.observe(() -> sink.accept(new LoggedNotification(destination, headers, message)));
	}

	private static @Nullable String originConnection() {
		if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
			String origin = attributes.getRequest().getHeader(ORIGIN_CONNECTION_HEADER);
			return ConnectionId.isValid(origin) ? origin : null;
		}
		return null;
	}

	@Override
	public Progress progress(String entity, Object id) {
		TaskScheduler scheduler = this.options.progressScheduler();
		if (scheduler == null) {
			return Notifier.super.progress(entity, id);
		}
		// Validated now, so that a bad name fails where the work starts, not at its first
		// update.
		new ChannelName(entity, String.valueOf(id), "progress");
		return new CoalescingProgress((action, payload) -> sendNow(entity, id, action, payload),
				this.options.progressInterval(), scheduler, this.clock);
	}

	// Progress is about work still under way: it leaves at once, not after a commit.
	private void sendNow(String entity, Object id, String action, Map<String, ?> payload) {
		NotifyMessage message = message(entity, id, action, payload);
		send(message, () -> sendToChannel(message));
	}

	@Override
	public void notifyUser(String username, String entity, Object id, String action, Map<String, ?> payload) {
		Assert.hasText(username, "Username must not be empty");
		NotifyMessage message = message(entity, id, action, payload);
		sendOnCommit(this.userTopics.topicOf(username), Map.of(), message);
	}

	// Validate and stamp now, in the caller's thread: a bad name fails where it was
	// written, and notifiedBy is the user who made the change even though sending may
	// happen after commit.
	private NotifyMessage message(String entity, Object id, String action, Map<String, ?> payload) {
		ChannelName channel = new ChannelName(entity, String.valueOf(id), action);
		checkSize(channel, payload);
		return new NotifyMessage(channel.entity(), channel.id(), channel.action(), this.clock.instant(),
				currentUsername(), new LinkedHashMap<>(payload));
	}

	private void sendOnCommit(String destination, Map<String, String> target, NotifyMessage message) {
		sendOnCommit(List.of(new Outgoing(this, destination, target, message)));
	}

	private void sendOnCommit(List<Outgoing> outgoing) {
		if (outgoing.isEmpty()) {
			return;
		}
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			appendAll(outgoing);
			return;
		}
		TransactionalOutbox outbox = this.options.outbox();
		if (outbox != null && outbox.joinsCurrentTransaction()) {
			// Written now, with the transaction's changes; the outbox publishes it after
			// commit.
			outgoing.forEach((next) -> append(next.destination(), next.target(), next.message(), outbox::store));
			return;
		}
		AfterCommit.add(this.log, outgoing);
	}

	// Each notification is observed on its way into the list, so that a tracer writes its
	// trace context into each one's headers; the log then takes them together.
	private void appendAll(List<Outgoing> outgoing) {
		List<LoggedNotification> notifications = new ArrayList<>(outgoing.size());
		for (Outgoing next : outgoing) {
			next.notifier().append(next.destination(), next.target(), next.message(), notifications::add);
		}
		send(outgoing.get(0).message(), () -> this.log.appendAll(notifications));
	}

	private void send(NotifyMessage message, Runnable send) {
		try {
			send.run();
		}
		catch (MessagingException ex) {
			throw new NotificationFailedException(
					"Notification " + message.channel() + " was not sent: " + ex.getMessage(), ex);
		}
	}

	private void checkSize(ChannelName channel, Map<String, ?> payload) {
		JsonMapper jsonMapper = this.options.jsonMapper();
		if (jsonMapper == null || payload.isEmpty()) {
			return;
		}
		int size = jsonMapper.writeValueAsBytes(payload).length;
		if (size > this.options.maxPayloadBytes()) {
			throw new PayloadTooLargeException(
					"Payload of " + channel + " is " + size + " bytes; the limit is " + this.options.maxPayloadBytes()
							+ " (notify-listen.payload.max-size). Send an id and let the " + "listener load the rest.");
		}
	}

	private static String currentUsername() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null || !trustResolver.isAuthenticated(authentication)) {
			return NotifyMessage.SYSTEM;
		}
		return authentication.getName();
	}

	/**
	 * A notification made and checked in the caller's thread, to be sent now or after
	 * commit by the notifier it was made with (which may skip the request's connection).
	 */
	private record Outgoing(BrokerNotifier notifier, String destination, Map<String, String> target,
			NotifyMessage message) {
	}

	/**
	 * What a transaction notified, sent together after its commit: the log publishes them
	 * in one go, so a transaction that notifies many times waits for the broker about
	 * once rather than once each. One per transaction and log, bound to the transaction
	 * as a resource and suspended with it, so that an inner transaction of its own
	 * ({@code REQUIRES_NEW}) sends what it notified at its own commit.
	 * <p>
	 * A notification made once the transaction has committed, from another
	 * synchronization's {@code afterCommit}, goes out at once when the transaction's
	 * notifications have gone; if it is the transaction's first, at completion: a
	 * synchronization registered after commit is never called for {@code afterCommit},
	 * only for {@code afterCompletion}. (Spring runs a
	 * {@code @TransactionalEventListener} after completion, where synchronization is over
	 * and a notification goes out at once.)
	 */
	private static final class AfterCommit implements TransactionSynchronization {

		private final PendingKey key;

		private final List<Outgoing> outgoing = new ArrayList<>();

		private boolean committed;

		private AfterCommit(PendingKey key) {
			this.key = key;
		}

		static void add(NotificationLog log, List<Outgoing> outgoing) {
			PendingKey key = new PendingKey(log);
			AfterCommit pending = (AfterCommit) TransactionSynchronizationManager.getResource(key);
			if (pending == null) {
				pending = new AfterCommit(key);
				TransactionSynchronizationManager.registerSynchronization(pending);
				TransactionSynchronizationManager.bindResource(key, pending);
			}
			pending.outgoing.addAll(outgoing);
			if (pending.committed) {
				pending.sendPending();
			}
		}

		@Override
		public void suspend() {
			TransactionSynchronizationManager.unbindResource(this.key);
		}

		@Override
		public void resume() {
			TransactionSynchronizationManager.bindResource(this.key, this);
		}

		@Override
		public void afterCommit() {
			this.committed = true;
			sendPending();
		}

		@Override
		public void afterCompletion(int status) {
			// Unbound whatever the outcome: the next transaction on this thread starts
			// anew, and a rolled-back one's notifications are dropped.
			TransactionSynchronizationManager.unbindResourceIfPossible(this.key);
			if (status == STATUS_COMMITTED && !this.committed) {
				this.committed = true;
				sendPending();
			}
		}

		private void sendPending() {
			if (!this.outgoing.isEmpty()) {
				List<Outgoing> sending = List.copyOf(this.outgoing);
				this.outgoing.clear();
				sending.get(0).notifier().appendAll(sending);
			}
		}

	}

	/** The key a transaction's pending notifications for one log are bound under. */
	private record PendingKey(NotificationLog log) {
	}

	/**
	 * What a notifier does beyond appending to the log, each part off unless set.
	 *
	 * @param maxPayloadBytes the most bytes a payload may take, measured as JSON
	 * @param jsonMapper measures payloads as the broker will send them; {@code null} for
	 * no limit
	 * @param progressScheduler sends a {@link #progress(String, Object) progress} update
	 * held back by the interval once it has passed; {@code null} to send every update
	 * @param progressInterval the shortest time between two updates of one piece of work
	 * @param observationRegistry observes each notification
	 * ({@value NotificationObservations#NOTIFY}), asked for at the first one, so that a
	 * tracer follows it from the notifying request to every node's delivery
	 * @param outbox takes notifications made inside a transaction, in that transaction,
	 * and publishes them after commit; {@code null} for none
	 * @param positions gives the positions pages listen from; {@code null} without a
	 * history
	 */
	public record Options(int maxPayloadBytes, @Nullable JsonMapper jsonMapper,
			@Nullable TaskScheduler progressScheduler, Duration progressInterval,
			Supplier<ObservationRegistry> observationRegistry, @Nullable TransactionalOutbox outbox,
			@Nullable Supplier<ListenPosition> positions) {

		/** No payload limit, no coalescing, no observations, no outbox. */
		public static final Options NONE = new Options(Integer.MAX_VALUE, null, null, Duration.ZERO,
				() -> ObservationRegistry.NOOP, null, null);

		/**
		 * Return these options with a payload limit.
		 * @param maxPayloadBytes the most bytes a payload may take
		 * @param jsonMapper measures payloads as the broker will send them
		 * @return the options
		 */
		public Options withMaxPayloadSize(int maxPayloadBytes, JsonMapper jsonMapper) {
			return new Options(maxPayloadBytes, jsonMapper, this.progressScheduler, this.progressInterval,
					this.observationRegistry, this.outbox, this.positions);
		}

		/**
		 * Return these options with progress updates coalesced to at most one per
		 * interval.
		 * @param scheduler sends an update held back by the interval once it has passed
		 * @param interval the shortest time between two updates of one piece of work
		 * @return the options
		 */
		public Options withProgressCoalescing(TaskScheduler scheduler, Duration interval) {
			return new Options(this.maxPayloadBytes, this.jsonMapper, scheduler, interval, this.observationRegistry,
					this.outbox, this.positions);
		}

		/**
		 * Return these options with each notification observed.
		 * @param observationRegistry the registry, asked for at the first notification
		 * @return the options
		 */
		public Options withObservationRegistry(Supplier<ObservationRegistry> observationRegistry) {
			return new Options(this.maxPayloadBytes, this.jsonMapper, this.progressScheduler, this.progressInterval,
					observationRegistry, this.outbox, this.positions);
		}

		/**
		 * Return these options with positions for pages.
		 * @param positions gives {@link Notifier#positionOf}: the history's position,
		 * which it recovers from
		 * @return the options
		 */
		public Options withPositions(Supplier<ListenPosition> positions) {
			return new Options(this.maxPayloadBytes, this.jsonMapper, this.progressScheduler, this.progressInterval,
					this.observationRegistry, this.outbox, positions);
		}

		/**
		 * Return these options with notifications made inside a transaction written to an
		 * outbox.
		 * @param outbox publishes them after commit
		 * @return the options
		 */
		public Options withTransactionalOutbox(TransactionalOutbox outbox) {
			return new Options(this.maxPayloadBytes, this.jsonMapper, this.progressScheduler, this.progressInterval,
					this.observationRegistry, outbox, this.positions);
		}

	}

}
