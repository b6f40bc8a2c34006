package io.notifylisten.notify;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.channel.ChannelName;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.history.ChannelHistory;
import io.notifylisten.security.SubscriptionSigner;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.MessagingException;
import org.springframework.messaging.simp.SimpMessageSendingOperations;
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
 * {@link Notifier} that hands messages to the STOMP broker (embedded or relayed), which fans them
 * out to every subscribed connection.
 */
public class BrokerNotifier implements Notifier {

	private static final AuthenticationTrustResolver trustResolver = new AuthenticationTrustResolverImpl();

	private final SimpMessageSendingOperations messagingTemplate;

	private final ChannelDestinations destinations;

	private final SubscriptionSigner signer;

	private final Clock clock;

	private final @Nullable ChannelHistory history;

	private int maxPayloadBytes = Integer.MAX_VALUE;

	private @Nullable JsonMapper jsonMapper;

	private @Nullable TaskScheduler progressScheduler;

	private Duration progressInterval = Duration.ZERO;

	private final @Nullable String excludedConnection;

	/**
	 * Create a notifier.
	 * @param messagingTemplate sends to the broker
	 * @param destinations maps channels to destinations
	 * @param signer computes users' topics
	 * @param clock stamps {@code changedAt}
	 * @param history numbers and keeps channel messages for recovery, or {@code null} for none
	 */
	public BrokerNotifier(SimpMessageSendingOperations messagingTemplate, ChannelDestinations destinations,
			SubscriptionSigner signer, Clock clock, @Nullable ChannelHistory history) {
		this.messagingTemplate = messagingTemplate;
		this.destinations = destinations;
		this.signer = signer;
		this.clock = clock;
		this.history = history;
		this.excludedConnection = null;
	}

	private BrokerNotifier(BrokerNotifier notifier, @Nullable String excludedConnection) {
		this.messagingTemplate = notifier.messagingTemplate;
		this.destinations = notifier.destinations;
		this.signer = notifier.signer;
		this.clock = notifier.clock;
		this.history = notifier.history;
		this.maxPayloadBytes = notifier.maxPayloadBytes;
		this.jsonMapper = notifier.jsonMapper;
		this.progressScheduler = notifier.progressScheduler;
		this.progressInterval = notifier.progressInterval;
		this.excludedConnection = excludedConnection;
	}

	@Override
	public void notify(String entity, Object id, String action, Map<String, ?> payload) {
		NotifyMessage message = message(entity, id, action, payload);
		afterCommit(message, () -> sendToChannel(message));
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
	public void notifyConnection(String connectionId, String entity, Object id, String action,
			Map<String, ?> payload) {
		Assert.isTrue(ConnectionRegistry.isValidConnectionId(connectionId), "Invalid connection id");
		notice(Map.of(Targeting.CONNECTION_HEADER, connectionId), entity, id, action, payload);
	}

	@Override
	public Notifier toOthers() {
		String origin = originConnection();
		return (origin != null) ? new BrokerNotifier(this, origin) : this;
	}

	private void notice(Map<String, Object> target, String entity, Object id, String action, Map<String, ?> payload) {
		NotifyMessage message = message(entity, id, action, payload);
		Map<String, Object> headers = headers(target);
		String destination = this.destinations.noticeTopic();
		afterCommit(message, () -> this.messagingTemplate.convertAndSend(destination, message, headers));
	}

	private void sendToChannel(NotifyMessage message) {
		ChannelName channel = message.channel();
		String destination = this.destinations.destinationOf(channel);
		Map<String, Object> headers = headers(Map.of());
		if (this.history == null) {
			this.messagingTemplate.convertAndSend(destination, message, headers);
		}
		else {
			this.history.append(channel, message,
					(numbered) -> this.messagingTemplate.convertAndSend(destination, numbered, headers));
		}
	}

	private @Nullable Map<String, Object> headers(Map<String, Object> target) {
		if (this.excludedConnection == null) {
			return target.isEmpty() ? null : target;
		}
		Map<String, Object> headers = new LinkedHashMap<>(target);
		headers.put(Targeting.EXCLUDE_HEADER, this.excludedConnection);
		return headers;
	}

	private static @Nullable String originConnection() {
		if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
			String origin = attributes.getRequest().getHeader(ORIGIN_CONNECTION_HEADER);
			return ConnectionRegistry.isValidConnectionId(origin) ? origin : null;
		}
		return null;
	}

	@Override
	public Progress progress(String entity, Object id) {
		if (this.progressScheduler == null) {
			return Notifier.super.progress(entity, id);
		}
		// Validated now, so that a bad name fails where the work starts, not at its first update.
		new ChannelName(entity, String.valueOf(id), "progress");
		return new CoalescingProgress((action, payload) -> sendNow(entity, id, action, payload),
				this.progressInterval, this.progressScheduler, this.clock);
	}

	/**
	 * Limit the size of payloads, measured as JSON.
	 * @param maxPayloadBytes the most bytes a payload may take
	 * @param jsonMapper measures payloads as the broker will send them
	 */
	public void setMaxPayloadSize(int maxPayloadBytes, JsonMapper jsonMapper) {
		this.maxPayloadBytes = maxPayloadBytes;
		this.jsonMapper = jsonMapper;
	}

	/**
	 * Coalesce {@link #progress(String, Object) progress} updates to at most one per interval.
	 * @param scheduler sends an update held back by the interval once it has passed
	 * @param interval the shortest time between two updates of one piece of work
	 */
	public void setProgressCoalescing(TaskScheduler scheduler, Duration interval) {
		this.progressScheduler = scheduler;
		this.progressInterval = interval;
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
		String destination = this.destinations.userTopic(this.signer.userToken(username));
		Map<String, Object> headers = headers(Map.of());
		afterCommit(message, () -> this.messagingTemplate.convertAndSend(destination, message, headers));
	}

	// Validate and stamp now, in the caller's thread: a bad name fails where it was written, and
	// notifiedBy is the user who made the change even though sending may happen after commit.
	private NotifyMessage message(String entity, Object id, String action, Map<String, ?> payload) {
		ChannelName channel = new ChannelName(entity, String.valueOf(id), action);
		checkSize(channel, payload);
		return new NotifyMessage(channel.entity(), channel.id(), channel.action(), this.clock.instant(),
				currentUsername(), new LinkedHashMap<>(payload));
	}

	private void afterCommit(NotifyMessage message, Runnable send) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					send(message, send);
				}
			});
		}
		else {
			send(message, send);
		}
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
		if (this.jsonMapper == null || payload.isEmpty()) {
			return;
		}
		int size = this.jsonMapper.writeValueAsBytes(payload).length;
		if (size > this.maxPayloadBytes) {
			throw new PayloadTooLargeException("Payload of " + channel + " is " + size + " bytes; the limit is "
					+ this.maxPayloadBytes + " (notify-listen.payload.max-size). Send an id and let the "
					+ "listener load the rest.");
		}
	}

	private static String currentUsername() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null || !trustResolver.isAuthenticated(authentication)) {
			return NotifyMessage.SYSTEM;
		}
		return authentication.getName();
	}

}
