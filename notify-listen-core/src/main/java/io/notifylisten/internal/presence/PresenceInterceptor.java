package io.notifylisten.internal.presence;

import java.util.Map;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.connection.OutboundMessages;
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
 * destination (already checked like any other) joins its user and is answered with the
 * members present; its UNSUBSCRIBE, or the connection's end, leaves.
 *
 * <p>
 * Joins and leaves happen as the frame is sent into the inbound channel, on the thread
 * that reads the connection, because only there are a connection's frames in the order
 * they came: the channel's pool may run a SUBSCRIBE and the UNSUBSCRIBE right behind it
 * on two threads, and a leave taken before its join would keep the user present until the
 * connection closes. The list is sent once the broker has registered the subscription, so
 * that the subscriber receives every change after the list it was sent.
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
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		SimpMessageType type = SimpMessageHeaderAccessor.getMessageType(message.getHeaders());
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		String subscriptionId = SimpMessageHeaderAccessor.getSubscriptionId(message.getHeaders());
		if (type == null || sessionId == null) {
			return message;
		}
		switch (type) {
			case SUBSCRIBE -> {
				if (subscriptionId != null) {
					join(SimpMessageHeaderAccessor.getDestination(message.getHeaders()), sessionId, subscriptionId);
				}
			}
			case UNSUBSCRIBE -> {
				if (subscriptionId != null) {
					this.presence.leave(sessionId, subscriptionId);
				}
			}
			// Also sent by Spring when a connection ends, by then gone from the
			// connection registry.
			case DISCONNECT -> this.presence.leaveAll(sessionId);
			default -> {
			}
		}
		return message;
	}

	private void join(@Nullable String destination, String sessionId, String subscriptionId) {
		PresenceName name = this.destinations.presenceOrNull(destination);
		ListenerConnection connection = this.connections.get(sessionId);
		if (name != null && connection != null) {
			this.presence.join(sessionId, subscriptionId, name, connection.user().getName(),
					this.memberResolver.resolve(connection.user()));
		}
	}

	// An interceptor after this one refused the SUBSCRIBE: the broker never holds it.
	@Override
	public void afterSendCompletion(Message<?> message, MessageChannel channel, boolean sent, @Nullable Exception ex) {
		if (!sent || ex != null) {
			notSubscribed(message);
		}
	}

	@Override
	public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
			@Nullable Exception ex) {
		if (!(handler instanceof AbstractBrokerMessageHandler)
				|| SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) != SimpMessageType.SUBSCRIBE) {
			return;
		}
		if (ex != null) {
			notSubscribed(message);
			return;
		}
		SimpMessageHeaderAccessor subscribe = SimpMessageHeaderAccessor.wrap(message);
		String sessionId = subscribe.getSessionId();
		String subscriptionId = subscribe.getSubscriptionId();
		if (sessionId != null && subscriptionId != null) {
			this.presence.here(sessionId, subscriptionId, (frame) -> send(subscribe, frame));
		}
	}

	private void notSubscribed(Message<?> message) {
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		String subscriptionId = SimpMessageHeaderAccessor.getSubscriptionId(message.getHeaders());
		if (SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) == SimpMessageType.SUBSCRIBE
				&& sessionId != null && subscriptionId != null) {
			this.presence.leave(sessionId, subscriptionId);
		}
	}

	private void send(SimpMessageHeaderAccessor subscribe, Map<String, Object> frame) {
		this.clientOutboundChannel.getObject()
			.send(OutboundMessages.replyTo(subscribe, ClusterPresence.FRAME_HEADER, "here",
					this.jsonMapper.writeValueAsBytes(frame)));
	}

}
