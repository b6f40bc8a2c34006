package io.notifylisten.internal.presence;

import java.util.Map;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.connection.OutboundMessages;
import io.notifylisten.presence.PresenceMember;
import io.notifylisten.presence.PresenceMemberResolver;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;
import org.springframework.messaging.support.ExecutorChannelInterceptor;

/**
 * Turns presence subscriptions into joins and leaves: a SUBSCRIBE to an object's presence
 * destination (already checked like any other) joins its user and is answered with the members
 * present; its UNSUBSCRIBE, or the connection's end, leaves.
 *
 * <p>It acts once the broker has registered or dropped the subscription, so that the subscriber
 * receives every change after the list it was sent.
 */
public class PresenceInterceptor implements ExecutorChannelInterceptor {

	private final ChannelDestinations destinations;

	private final ClusterPresence presence;

	private final ConnectionRegistry connections;

	private final PresenceMemberResolver memberResolver;

	private final JsonMapper jsonMapper;

	private final ObjectProvider<MessageChannel> clientOutboundChannel;

	public PresenceInterceptor(ChannelDestinations destinations, ClusterPresence presence,
			ConnectionRegistry connections, PresenceMemberResolver memberResolver, JsonMapper jsonMapper,
			ObjectProvider<MessageChannel> clientOutboundChannel) {
		this.destinations = destinations;
		this.presence = presence;
		this.connections = connections;
		this.memberResolver = memberResolver;
		this.jsonMapper = jsonMapper;
		this.clientOutboundChannel = clientOutboundChannel;
	}

	@Override
	public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
			@Nullable Exception ex) {
		if (ex != null || !(handler instanceof AbstractBrokerMessageHandler)) {
			return;
		}
		SimpMessageType type = SimpMessageHeaderAccessor.getMessageType(message.getHeaders());
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		if (type == null || sessionId == null) {
			return;
		}
		switch (type) {
			case SUBSCRIBE -> subscribed(SimpMessageHeaderAccessor.wrap(message), sessionId);
			case UNSUBSCRIBE -> {
				String subscriptionId = SimpMessageHeaderAccessor.getSubscriptionId(message.getHeaders());
				if (subscriptionId != null) {
					this.presence.leave(sessionId, subscriptionId);
				}
			}
			// Also sent by Spring when a connection ends, by then gone from the connection registry.
			case DISCONNECT -> this.presence.leaveAll(sessionId);
			default -> {
			}
		}
	}

	private void subscribed(SimpMessageHeaderAccessor subscribe, String sessionId) {
		PresenceName name = this.destinations.presenceOrNull(subscribe.getDestination());
		String subscriptionId = subscribe.getSubscriptionId();
		ListenerConnection connection = this.connections.get(sessionId);
		if (name == null || subscriptionId == null || connection == null) {
			return;
		}
		String username = connection.user().getName();
		PresenceMember member = this.memberResolver.resolve(connection.user());
		this.presence.join(sessionId, subscriptionId, name, username, member);
		this.presence.here(name, username, member, (frame) -> send(subscribe, frame));
	}

	private void send(SimpMessageHeaderAccessor subscribe, Map<String, Object> frame) {
		this.clientOutboundChannel.getObject()
			.send(OutboundMessages.replyTo(subscribe, ClusterPresence.FRAME_HEADER, "here",
					this.jsonMapper.writeValueAsBytes(frame)));
	}

}
