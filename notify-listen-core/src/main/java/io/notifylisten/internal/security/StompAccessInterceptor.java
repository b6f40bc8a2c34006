package io.notifylisten.internal.security;

import java.util.Map;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.channel.TypeChannel;
import io.notifylisten.internal.channel.TypeFilter;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.security.BearerTokenAuthenticator.VerifiedToken;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.security.core.Authentication;
import org.springframework.security.messaging.web.csrf.XorCsrfChannelInterceptor;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.socket.server.support.HttpSessionHandshakeInterceptor;

/**
 * Guards the client inbound channel. CONNECT needs a valid bearer token, or a logged-in
 * user and, unless disabled, a valid CSRF token; SUBSCRIBE needs a valid notification or
 * presence destination, the listen role, entity access and (when required) a signature
 * for this connection and channel or presence, and a listener to a type's filter
 * ({@value TypeFilter#HEADER} header) only declared fields, covered by the signature; a
 * SEND to {@value BearerTokenConnections#REFRESH_DESTINATION} refreshes a token
 * connection's token; every other SEND and client frame is refused; every frame must stay
 * within the {@link StompLimits}. A refusal throws, which makes Spring send an ERROR
 * frame and close the connection.
 */
public class StompAccessInterceptor implements ChannelInterceptor {

	/** The SUBSCRIBE header that carries the signature from {@code /rest/pusher/auth}. */
	public static final String SIGNATURE_HEADER = "auth";

	private final ChannelDestinations destinations;

	private final ConnectionRegistry connections;

	private final ListenAuthorizer authorizer;

	private final SubscriptionSigner signer;

	private final boolean signatureRequired;

	private final @Nullable ChannelInterceptor csrfCheck;

	private final boolean presenceEnabled;

	private final StompLimits limits;

	private final @Nullable BearerTokenConnections tokens;

	private final FilterableFields filterable;

	/**
	 * Create the interceptor.
	 * @param destinations the valid destinations
	 * @param connections the open connections
	 * @param authorizer checks the listen role and entity access
	 * @param signer checks subscription signatures
	 * @param signatureRequired whether a SUBSCRIBE needs a signature
	 * @param csrfRequired whether a CONNECT authenticated by the HTTP session needs the
	 * CSRF token
	 * @param presenceEnabled whether presence destinations may be subscribed to
	 * @param limits the per-connection limits
	 * @param tokens authenticates connections by bearer token, or {@code null} where only
	 * the HTTP session does
	 * @param filterable the payload fields listeners to a type may filter on
	 */
	public StompAccessInterceptor(ChannelDestinations destinations, ConnectionRegistry connections,
			ListenAuthorizer authorizer, SubscriptionSigner signer, boolean signatureRequired, boolean csrfRequired,
			boolean presenceEnabled, StompLimits limits, @Nullable BearerTokenConnections tokens,
			FilterableFields filterable) {
		this.destinations = destinations;
		this.connections = connections;
		this.authorizer = authorizer;
		this.signer = signer;
		this.signatureRequired = signatureRequired;
		this.csrfCheck = csrfRequired ? new XorCsrfChannelInterceptor() : null;
		this.presenceEnabled = presenceEnabled;
		this.limits = limits;
		this.tokens = tokens;
		this.filterable = filterable;
	}

	@Override
	public @Nullable Message<?> preSend(Message<?> message, MessageChannel channel) {
		SimpMessageType type = SimpMessageHeaderAccessor.getMessageType(message.getHeaders());
		if (type == null) {
			throw new ListenDeniedException("Unknown frame");
		}
		switch (type) {
			case CONNECT -> connect(message, channel);
			case SUBSCRIBE -> {
				return subscribe(message);
			}
			case UNSUBSCRIBE -> requireConnection(message).removeSubscription();
			// Spring sends DISCONNECT itself when a session ends, also for sessions
			// refused at CONNECT.
			case DISCONNECT, HEARTBEAT -> {
			}
			// InboundFrameGuard lets through no other SEND, and this one only on a
			// connection a token authenticated. It goes no further than here.
			case MESSAGE -> {
				if (this.tokens == null || !BearerTokenConnections.REFRESH_DESTINATION
					.equals(SimpMessageHeaderAccessor.getDestination(message.getHeaders()))) {
					throw new ListenDeniedException("Clients may not send messages");
				}
				this.tokens.refresh(message, requireConnection(message));
				return null;
			}
			// SEND and every frame without a use here: clients listen, only the server
			// notifies.
			default -> throw new ListenDeniedException("Clients may not send messages");
		}
		return message;
	}

	private void connect(Message<?> message, MessageChannel channel) {
		VerifiedToken token = (this.tokens != null) ? this.tokens.connect(message) : null;
		Authentication user;
		if (token != null) {
			// CSRF guards what a cookie authenticates; a page that holds the token is no
			// forgery.
			user = token.user();
		}
		else {
			user = ListenAuthorizer.requireLogin(SimpMessageHeaderAccessor.getUser(message.getHeaders()));
			if (this.csrfCheck != null) {
				this.csrfCheck.preSend(message, channel);
			}
		}
		withoutCsrfToken(message);
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		if (sessionId == null) {
			throw new ListenDeniedException("Unknown session");
		}
		Map<String, Object> attributes = SimpMessageHeaderAccessor.getSessionAttributes(message.getHeaders());
		// A connection on a token lives as long as its token, not the HTTP session.
		String httpSessionId = (attributes != null && token == null)
				? (String) attributes.get(HttpSessionHandshakeInterceptor.HTTP_SESSION_ID_ATTR_NAME) : null;
		ListenerConnection connection = this.connections.register(sessionId, user, httpSessionId,
				this.limits.maxConnectionsPerUser());
		if (connection == null) {
			throw new ListenDeniedException("Too many connections");
		}
		if (token != null && this.tokens != null) {
			this.tokens.connected(connection, token);
		}
	}

	// Checked, the token has no business further on: a broker behind Spring's handler
	// would be sent the CONNECT headers. Spring's STOMP handler leaves the headers
	// mutable for interceptors.
	private static void withoutCsrfToken(Message<?> message) {
		Map<String, Object> attributes = SimpMessageHeaderAccessor.getSessionAttributes(message.getHeaders());
		StompHeaderAccessor headers = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
		if (attributes != null && attributes.get(CsrfToken.class.getName()) instanceof CsrfToken token
				&& headers != null && headers.isMutable()) {
			headers.removeNativeHeader(token.getHeaderName());
		}
	}

	private Message<?> subscribe(Message<?> message) {
		ListenerConnection connection = requireConnection(message);
		SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.wrap(message);
		if (accessor.getFirstNativeHeader("selector") != null) {
			throw new ListenDeniedException("Selector header not supported");
		}
		if (this.destinations.userDestination().equals(accessor.getDestination())) {
			// The subscription is pointed at this user's own topic, which the broker fans
			// out to all of the user's connections on every node; what arrives is checked
			// on delivery.
			return redirected(connection, message,
					this.destinations.userTopic(this.signer.userToken(connection.user().getName())));
		}
		if (this.destinations.noticeDestination().equals(accessor.getDestination())) {
			// Notices go to every connection's notice topic; who each one is for is
			// checked on delivery.
			return redirected(connection, message, this.destinations.noticeTopic());
		}
		TypeChannel type = this.destinations.typeOrNull(accessor.getDestination());
		String where = accessor.getFirstNativeHeader(TypeFilter.HEADER);
		if (type != null) {
			// No object to check access to yet: each notification is checked for its own
			// object at delivery.
			this.authorizer.checkRole(connection.user());
			TypeFilter filter = (where != null) ? this.filterable.parse(type, where) : null;
			return signed(connection, filtered(message, filter), accessor, TypeFilter.signedName(type, filter));
		}
		FilterableFields.refuseForOneObject(where);
		PresenceName presence = this.destinations.presenceOrNull(accessor.getDestination());
		if (presence != null && !this.presenceEnabled) {
			throw new ListenDeniedException("Presence is off");
		}
		ChannelName channel = (presence != null) ? presence.readCheck()
				: this.destinations.channelOf(accessor.getDestination());
		this.authorizer.check(connection.user(), channel);
		return signed(connection, message, accessor, (presence != null) ? presence.toString() : channel.toString());
	}

	private Message<?> signed(ListenerConnection connection, Message<?> message, SimpMessageHeaderAccessor accessor,
			String signed) {
		String signature = accessor.getFirstNativeHeader(SIGNATURE_HEADER);
		if (signature == null && !this.signatureRequired) {
			return counted(connection, message);
		}
		if (!this.signer.verify(connection.connectionId(), signed, signature)) {
			throw new ListenDeniedException("Invalid subscription signature");
		}
		return counted(connection, message);
	}

	// The registry takes the filter from the SUBSCRIBE message, parsed and checked here.
	private static Message<?> filtered(Message<?> message, @Nullable TypeFilter filter) {
		if (filter == null) {
			return message;
		}
		StompHeaderAccessor headers = StompHeaderAccessor.wrap(message);
		headers.setHeader(TypeFilter.HEADER_ATTRIBUTE, filter);
		return MessageBuilder.createMessage(message.getPayload(), headers.getMessageHeaders());
	}

	private Message<?> redirected(ListenerConnection connection, Message<?> message, String destination) {
		this.authorizer.checkRole(connection.user());
		StompHeaderAccessor rewritten = StompHeaderAccessor.wrap(message);
		rewritten.setDestination(destination);
		return counted(connection, MessageBuilder.createMessage(message.getPayload(), rewritten.getMessageHeaders()));
	}

	private Message<?> counted(ListenerConnection connection, Message<?> message) {
		if (!connection.tryAddSubscription(this.limits.maxSubscriptionsPerConnection())) {
			throw new ListenDeniedException("Too many subscriptions");
		}
		return message;
	}

	private ListenerConnection requireConnection(Message<?> message) {
		ListenerConnection connection = this.connections
			.get(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()));
		if (connection == null) {
			throw new ListenDeniedException("CONNECT first");
		}
		return connection;
	}

}
