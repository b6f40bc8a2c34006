package io.notifylisten.notify;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.channel.ChannelName;

import org.springframework.messaging.simp.SimpMessageSendingOperations;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link Notifier} that hands messages to the STOMP broker (embedded or relayed), which fans them
 * out to every subscribed connection.
 */
public class BrokerNotifier implements Notifier {

	private static final AuthenticationTrustResolver trustResolver = new AuthenticationTrustResolverImpl();

	private final SimpMessageSendingOperations messagingTemplate;

	private final ChannelDestinations destinations;

	private final Clock clock;

	public BrokerNotifier(SimpMessageSendingOperations messagingTemplate, ChannelDestinations destinations,
			Clock clock) {
		this.messagingTemplate = messagingTemplate;
		this.destinations = destinations;
		this.clock = clock;
	}

	@Override
	public void notify(String entity, Object id, String action, Map<String, ?> payload) {
		// Validate and stamp now, in the caller's thread: a bad name fails where it was written, and
		// notifiedBy is the user who made the change even though sending may happen after commit.
		ChannelName channel = new ChannelName(entity, String.valueOf(id), action);
		NotifyMessage message = new NotifyMessage(channel.entity(), channel.id(), channel.action(),
				this.clock.instant(), currentUsername(), new LinkedHashMap<>(payload));
		String destination = this.destinations.destinationOf(channel);
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					send(destination, message);
				}
			});
		}
		else {
			send(destination, message);
		}
	}

	private void send(String destination, NotifyMessage message) {
		this.messagingTemplate.convertAndSend(destination, message);
	}

	private static String currentUsername() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null || !trustResolver.isAuthenticated(authentication)) {
			return NotifyMessage.SYSTEM;
		}
		return authentication.getName();
	}

}
