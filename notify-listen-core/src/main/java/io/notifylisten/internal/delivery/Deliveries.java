package io.notifylisten.internal.delivery;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.broker.FanOutMemo;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.history.RecoveryInterceptor;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.internal.notify.Targeting;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.transport.DeliveryCheck;
import io.notifylisten.internal.transport.DeliveryOutcomes;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.notify.NotifyMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.NativeMessageHeaderAccessor;
import org.springframework.security.access.AccessDeniedException;

/**
 * The one place that decides whether a connection gets a message and in what form, for
 * every route a message takes to a page: a channel's notification (fanned out directly or
 * by Spring's broker), a notice, a user's, role's or connection's message, a presence
 * frame, a recovery frame, and a Server-Sent Event stream. It also hears what became of
 * each message and tells the meters.
 *
 * <p>
 * Role and entity access are checked again on every delivery, so a user who lost either
 * stops receiving with the next message; so is the expiry of a connection's bearer token.
 * A {@link NotifyListen @NotifyListen} handler runs as the connection's user, after that
 * check, and its result replaces the message for that connection alone.
 */
public final class Deliveries implements DeliveryCheck, DeliveryOutcomes {

	private static final Log logger = LogFactory.getLog(Deliveries.class);

	private final NotifyListenHandlers handlers;

	private final ConnectionRegistry connections;

	private final ListenAuthorizer authorizer;

	private final JsonMapper jsonMapper;

	private final String prefix;

	private final String userTopicPrefix;

	private final String noticeTopic;

	/**
	 * The channel a destination names, or none: parsed once per fan-out rather than per
	 * connection.
	 */
	private final FanOutMemo<String, ChannelName> channelOfDestination;

	private final FanOutMemo<String, PresenceName> presenceOfDestination;

	private final DeliveryMeters meters;

	private final Clock clock;

	/**
	 * Create the delivery rules.
	 * @param destinations the destinations of notify-listen's messages
	 * @param handlers the {@code @NotifyListen} handlers
	 * @param connections the open connections
	 * @param authorizer checks the listen role and entity access
	 * @param jsonMapper reads notifications addressed to users, roles and connections
	 * @param meters told what became of each message, on every route
	 * @param clock tells when a connection's bearer token has expired
	 */
	public Deliveries(ChannelDestinations destinations, NotifyListenHandlers handlers, ConnectionRegistry connections,
			ListenAuthorizer authorizer, JsonMapper jsonMapper, DeliveryMeters meters, Clock clock) {
		this.handlers = handlers;
		this.connections = connections;
		this.authorizer = authorizer;
		this.jsonMapper = jsonMapper;
		this.prefix = destinations.prefix();
		this.userTopicPrefix = destinations.userTopicPrefix();
		this.noticeTopic = destinations.noticeTopic();
		this.channelOfDestination = new FanOutMemo<>(destinations::channelOrNull);
		this.presenceOfDestination = new FanOutMemo<>(destinations::presenceOrNull);
		this.meters = meters;
		this.clock = clock;
	}

	/**
	 * Return whether a session passed CONNECT and is still registered as a connection.
	 * @param sessionId the session's id
	 * @return whether it is a connection
	 */
	public boolean isConnected(String sessionId) {
		return this.connections.get(sessionId) != null;
	}

	/**
	 * Return what a connection's next messages must wait for before they are written: a
	 * connection whose user's authorities must be loaded before its next delivery waits
	 * for the load on the authorities' threads, not on an outbound thread. Only once it
	 * subscribed (and so may get deliveries): CONNECTED and receipts before that wait for
	 * nothing.
	 * @param sessionId the session's id
	 * @return {@code null} if nothing, or the load to wait for
	 */
	public @Nullable CompletableFuture<?> readiness(String sessionId) {
		ListenerConnection connection = this.connections.get(sessionId);
		return (connection != null && connection.subscriptions() > 0) ? this.authorizer.whenCurrent(connection) : null;
	}

	/**
	 * Return whether a message is a notify-listen message to a connection, whose outcome
	 * counts.
	 * @param message an outbound message
	 * @return whether it is a MESSAGE to one of notify-listen's destinations
	 */
	public boolean isNotification(Message<?> message) {
		if (!SimpMessageType.MESSAGE.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()))) {
			return false;
		}
		String destination = SimpMessageHeaderAccessor.getDestination(message.getHeaders());
		return destination != null && destination.startsWith(this.prefix);
	}

	/**
	 * Decide what a connection gets of a message addressed to it: the message, another in
	 * its place (a handler's result), or nothing. A message refused to the connection is
	 * counted as dropped; one that was never meant for it (it is excluded or not
	 * targeted) is not.
	 * @param message a message the broker addressed to one connection
	 * @return what to write to the connection, or {@code null} for nothing
	 */
	public @Nullable Message<?> deliverable(Message<?> message) {
		if (!SimpMessageType.MESSAGE.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()))) {
			return message;
		}
		if (!isNotification(message)) {
			// The application's own destinations on a shared broker: not notify-listen's
			// to decide.
			return message;
		}
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		ListenerConnection connection = this.connections.get(sessionId);
		if (connection == null) {
			dropped(DropReason.CLOSED);
			return null;
		}
		Map<?, ?> targeting = targeting(message);
		if (targeting != null) {
			if (!isTarget(connection, targeting)) {
				return null;
			}
			message = withoutTargeting(message);
		}
		Message<?> deliverable = decide(message, connection);
		if (deliverable == null) {
			dropped(DropReason.DENIED);
		}
		return deliverable;
	}

	private @Nullable Message<?> decide(Message<?> message, ListenerConnection connection) {
		String destination = SimpMessageHeaderAccessor.getDestination(message.getHeaders());
		if (destination == null) {
			return message;
		}
		if (this.noticeTopic.equals(destination) || destination.startsWith(this.userTopicPrefix)) {
			// Addressed to a user, a role, a connection or everyone: not checked at
			// SUBSCRIBE, and the user may not be allowed to read its entity.
			NotifyMessage notification = this.jsonMapper.readValue((byte[]) message.getPayload(), NotifyMessage.class);
			return allowed(connection, notification.channel()) ? message : null;
		}
		ChannelName channel = this.channelOfDestination.get(destination);
		if (channel != null) {
			if (!allowed(connection, channel)) {
				return null;
			}
			// A recovery frame's replayed messages carry no handler result.
			return RecoveryInterceptor.isRecoveryFrame(message) ? message : runHandler(message, connection, channel);
		}
		PresenceName presence = this.presenceOfDestination.get(destination);
		if (presence != null) {
			// Who is present on an object may be seen only by who may read it now.
			return allowed(connection, presence.readCheck()) ? message : null;
		}
		return message;
	}

	@Override
	public boolean deliversUnchanged(Message<?> message, ChannelName channel) {
		return targeting(message) == null && this.handlers.find(channel.entity(), channel.action()) == null;
	}

	@Override
	public boolean mayDeliver(String sessionId, ChannelName channel) {
		ListenerConnection connection = this.connections.get(sessionId);
		if (connection == null) {
			dropped(DropReason.CLOSED);
			return false;
		}
		if (!allowed(connection, channel)) {
			dropped(DropReason.DENIED);
			return false;
		}
		return true;
	}

	@Override
	public void delivered(byte[] payload) {
		this.meters.delivered(payload);
	}

	@Override
	public void dropped(DropReason reason) {
		this.meters.dropped(reason);
	}

	@Override
	public void folded(int messages) {
		this.meters.folded(messages);
	}

	private boolean allowed(ListenerConnection connection, ChannelName channel) {
		// A connection on a bearer token gets nothing once the token has expired, even
		// before it is closed for it.
		if (connection.tokenExpired(this.clock.millis())) {
			return false;
		}
		try {
			return this.authorizer.canDeliver(connection, channel);
		}
		catch (RuntimeException ex) {
			// An entity access policy that fails (its database, say) allows nothing.
			logger.warn("Delivery check for " + channel + " failed; not delivered to session " + connection.sessionId(),
					ex);
			return false;
		}
	}

	// Notices, and messages that skip a connection, carry targeting headers: whether this
	// connection is one the message is for.
	private boolean isTarget(ListenerConnection connection, Map<?, ?> targeting) {
		return !connection.connectionId().equals(first(targeting, Targeting.EXCLUDE_HEADER))
				&& matches(first(targeting, Targeting.CONNECTION_HEADER), connection.connectionId())
				&& hasRole(connection, first(targeting, Targeting.ROLE_HEADER));
	}

	// The browser has no business with other connections' ids: the headers go before the
	// frame does.
	private static Message<?> withoutTargeting(Message<?> message) {
		// A SimpMessageHeaderAccessor, not a STOMP one: Spring turns it into a MESSAGE
		// frame itself.
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
			return null;
		}
		catch (Exception ex) {
			// The page still learns that the object changed; it just misses the handler's
			// result.
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

}
