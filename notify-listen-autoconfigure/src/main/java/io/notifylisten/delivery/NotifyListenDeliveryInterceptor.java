package io.notifylisten.delivery;

import java.util.List;
import java.util.Map;

import io.notifylisten.broker.FanOutMemo;
import io.notifylisten.channel.ChannelDestinations;
import io.notifylisten.channel.ChannelName;
import io.notifylisten.channel.PresenceName;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.connection.DeliveryCheck;
import io.notifylisten.connection.FanOutAware;
import io.notifylisten.connection.ListenerConnection;
import io.notifylisten.connection.OutboundMessages;
import io.notifylisten.history.RecoveryInterceptor;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.listen.NotifyListenHandlers;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.notify.Targeting;
import io.notifylisten.security.ListenAuthorizer;
import io.notifylisten.sse.SseStreams;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.NativeMessageHeaderAccessor;
import org.springframework.security.access.AccessDeniedException;

/**
 * Checks entity access again for every delivery and runs {@link NotifyListen @NotifyListen} handlers,
 * on the client outbound channel, where the broker has already turned one notification into one
 * message per subscribed connection. Each handler runs
 * on the outbound executor (never on the broker's fan-out thread), as that connection's user, after
 * the entity access policy has allowed the user again; its result replaces the message for that
 * connection alone.
 */
public class NotifyListenDeliveryInterceptor implements ExecutorChannelInterceptor, DeliveryCheck, FanOutAware {

	private static final Log logger = LogFactory.getLog(NotifyListenDeliveryInterceptor.class);

	private final NotifyListenHandlers handlers;

	private final ConnectionRegistry connections;

	private final ListenAuthorizer authorizer;

	private final JsonMapper jsonMapper;

	private final String userTopicPrefix;

	private final String noticeTopic;

	/** The channel a destination names, or none: parsed once per fan-out rather than per connection. */
	private final FanOutMemo<String, ChannelName> channelOfDestination;

	private final FanOutMemo<String, PresenceName> presenceOfDestination;

	private @Nullable SseStreams sseStreams;

	public NotifyListenDeliveryInterceptor(ChannelDestinations destinations, NotifyListenHandlers handlers,
			ConnectionRegistry connections, ListenAuthorizer authorizer, JsonMapper jsonMapper) {
		this.handlers = handlers;
		this.connections = connections;
		this.authorizer = authorizer;
		this.jsonMapper = jsonMapper;
		this.userTopicPrefix = destinations.userTopicPrefix();
		this.noticeTopic = destinations.noticeTopic();
		this.channelOfDestination = new FanOutMemo<>(destinations::channelOrNull);
		this.presenceOfDestination = new FanOutMemo<>(destinations::presenceOrNull);
	}

	/**
	 * Hand the messages of Server-Sent Event streams, once checked, to their streams.
	 * @param sseStreams the streams
	 */
	public void setSseStreams(SseStreams sseStreams) {
		this.sseStreams = sseStreams;
	}

	@Override
	public @Nullable Message<?> beforeHandle(Message<?> message, MessageChannel channel, MessageHandler handler) {
		SseStreams streams = this.sseStreams;
		if (streams != null && SseStreams.isStream(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()))) {
			// A stream is no WebSocket: after the same checks, its messages go to the stream instead.
			boolean notification = SimpMessageType.MESSAGE.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()));
			Message<?> checked = notification ? deliverable(message) : message;
			if (checked != null) {
				streams.handle(checked);
			}
			return OutboundMessages.drop(message);
		}
		return deliverable(message);
	}

	private @Nullable Message<?> deliverable(Message<?> message) {
		if (!SimpMessageType.MESSAGE.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()))
				|| RecoveryInterceptor.isRecoveryFrame(message)) {
			// A recovery frame answers a SUBSCRIBE that was checked a moment ago; its replayed
			// messages carry no handler result.
			return message;
		}
		Map<?, ?> targeting = targeting(message);
		if (targeting != null) {
			if (!isTarget(message, targeting)) {
				return OutboundMessages.drop(message);
			}
			message = withoutTargeting(message);
		}
		String destination = SimpMessageHeaderAccessor.getDestination(message.getHeaders());
		if (this.noticeTopic.equals(destination)
				|| (destination != null && destination.startsWith(this.userTopicPrefix))) {
			return checkAddressed(message);
		}
		ChannelName channelName = (destination != null) ? this.channelOfDestination.get(destination) : null;
		if (channelName == null) {
			return checkPresence(message, destination);
		}
		ListenerConnection connection = allowedConnection(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()),
				channelName);
		if (connection == null) {
			return OutboundMessages.drop(message);
		}
		return runHandler(message, connection, channelName);
	}

	@Override
	public boolean deliversUnchanged(Message<?> message, ChannelName channel) {
		return targeting(message) == null && this.handlers.find(channel.entity(), channel.action()) == null;
	}

	@Override
	public boolean mayDeliver(String sessionId, ChannelName channel) {
		return allowedConnection(sessionId, channel) != null;
	}

	// Role and access are checked again on every delivery, so a user who lost either stops
	// receiving with the next message.
	private @Nullable ListenerConnection allowedConnection(@Nullable String sessionId, ChannelName channel) {
		ListenerConnection connection = this.connections.get(sessionId);
		return (connection != null && this.authorizer.canDeliver(connection, channel)) ? connection : null;
	}

	// Notices, and messages that skip a connection, carry targeting headers: whether this connection
	// is one the message is for.
	private boolean isTarget(Message<?> message, Map<?, ?> targeting) {
		ListenerConnection connection = this.connections
			.get(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()));
		return connection != null && !connection.connectionId().equals(first(targeting, Targeting.EXCLUDE_HEADER))
				&& matches(first(targeting, Targeting.CONNECTION_HEADER), connection.connectionId())
				&& hasRole(connection, first(targeting, Targeting.ROLE_HEADER));
	}

	// The browser has no business with other connections' ids: the headers go before the frame does.
	private static Message<?> withoutTargeting(Message<?> message) {
		// A SimpMessageHeaderAccessor, not a STOMP one: Spring turns it into a MESSAGE frame itself.
		SimpMessageHeaderAccessor stripped = SimpMessageHeaderAccessor.wrap(message);
		stripped.removeNativeHeader(Targeting.EXCLUDE_HEADER);
		stripped.removeNativeHeader(Targeting.CONNECTION_HEADER);
		stripped.removeNativeHeader(Targeting.ROLE_HEADER);
		return MessageBuilder.createMessage(message.getPayload(), stripped.getMessageHeaders());
	}

	private boolean hasRole(ListenerConnection connection, @Nullable String authority) {
		return authority == null || this.authorizer.hasAuthority(connection.user(), authority);
	}

	private static boolean matches(@Nullable String wanted, String actual) {
		return wanted == null || wanted.equals(actual);
	}

	private static @Nullable Map<?, ?> targeting(Message<?> message) {
		if (message.getHeaders().get(NativeMessageHeaderAccessor.NATIVE_HEADERS) instanceof Map<?, ?> headers
				&& (headers.containsKey(Targeting.EXCLUDE_HEADER) || headers.containsKey(Targeting.CONNECTION_HEADER)
						|| headers.containsKey(Targeting.ROLE_HEADER))) {
			return headers;
		}
		return null;
	}

	private static @Nullable String first(Map<?, ?> headers, String name) {
		return (headers.get(name) instanceof List<?> values && !values.isEmpty()) ? (String) values.get(0) : null;
	}

	private @Nullable Message<?> runHandler(Message<?> message, ListenerConnection connection,
			ChannelName channelName) {
		InvocableHandlerMethod method = this.handlers.find(channelName.entity(), channelName.action());
		if (method == null) {
			return message;
		}
		NotifyMessage notification = this.jsonMapper.readValue((byte[]) message.getPayload(), NotifyMessage.class);
		Object result;
		try {
			result = this.handlers.invokeAs(method, notification, connection.user(), connection.sessionId());
		}
		catch (AccessDeniedException ex) {
			logger.debug("@NotifyListen handler denied " + channelName + " to " + connection.user().getName());
			return OutboundMessages.drop(message);
		}
		catch (Exception ex) {
			// The page still learns that the object changed; it just misses the handler's result.
			logger.warn("@NotifyListen handler " + method.getShortLogMessage() + " failed for " + channelName, ex);
			return message;
		}
		if (result == null) {
			return message;
		}
		ObjectNode envelope = this.jsonMapper.valueToTree(notification);
		envelope.set("result", this.jsonMapper.valueToTree(result));
		return MessageBuilder.createMessage(this.jsonMapper.writeValueAsBytes(envelope), message.getHeaders());
	}

	// Who is present on an object may be seen only by who may read it now.
	private @Nullable Message<?> checkPresence(Message<?> message, @Nullable String destination) {
		PresenceName presence = (destination != null) ? this.presenceOfDestination.get(destination) : null;
		if (presence == null) {
			return message;
		}
		boolean allowed = allowedConnection(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()),
				presence.readCheck()) != null;
		return allowed ? message : OutboundMessages.drop(message);
	}

	// A message addressed to a user, a role, a connection or everyone was not checked at SUBSCRIBE:
	// the user may not be allowed to read its entity.
	private @Nullable Message<?> checkAddressed(Message<?> message) {
		ListenerConnection connection = this.connections
			.get(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()));
		if (connection == null) {
			return OutboundMessages.drop(message);
		}
		NotifyMessage notification = this.jsonMapper.readValue((byte[]) message.getPayload(), NotifyMessage.class);
		return this.authorizer.canDeliver(connection, notification.channel()) ? message : OutboundMessages.drop(message);
	}

}
