package io.notifylisten.internal.connection;

import java.time.Instant;
import java.util.Set;

import io.notifylisten.internal.transport.FanOutAware;
import io.notifylisten.internal.transport.OutboundTransport;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;

/**
 * Adds the {@value #CONNECTION_ID_HEADER} header to the CONNECTED frame, so that a client
 * can ask {@code /rest/pusher/auth} for signatures bound to this connection, as a Pusher
 * client does with its socket id.
 *
 * <p>
 * Spring's STOMP handler gives no hook for CONNECTED headers. For the embedded broker,
 * whose acknowledgement is not yet a STOMP frame, this builds the CONNECTED frame the way
 * {@code StompSubProtocolHandler} would (version and heart-beat), which the handler then
 * passes on unchanged; a CONNECTED frame that already exists only gains the header. Its
 * heart-beat is agreed with the transport, which sends the server's heart-beats (see
 * {@link OutboundTransport#agreeHeartbeats}).
 */
public class ConnectedFrameInterceptor implements ChannelInterceptor, FanOutAware {

	/** CONNECTED header carrying the connection id. */
	public static final String CONNECTION_ID_HEADER = "connection-id";

	/**
	 * CONNECTED (and token refresh RECEIPT) header carrying when the connection's bearer
	 * token expires, in epoch milliseconds.
	 */
	public static final String TOKEN_EXPIRES_AT_HEADER = "token-expires-at";

	private static final String[] SUPPORTED_VERSIONS = { "1.2", "1.1", "1.0" };

	private final ConnectionRegistry connections;

	private final OutboundTransport transport;

	public ConnectedFrameInterceptor(ConnectionRegistry connections, OutboundTransport transport) {
		this.connections = connections;
		this.transport = transport;
	}

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		SimpMessageType type = SimpMessageHeaderAccessor.getMessageType(message.getHeaders());
		StompHeaderAccessor stomp = MessageHeaderAccessor.getAccessor(message, StompHeaderAccessor.class);
		boolean connectAck = SimpMessageType.CONNECT_ACK.equals(type);
		boolean connected = stomp != null && StompCommand.CONNECTED.equals(stomp.getCommand());
		if (!connectAck && !connected) {
			return message;
		}
		ListenerConnection connection = this.connections
			.get(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()));
		if (connection == null) {
			return message;
		}
		StompHeaderAccessor headers = connected ? StompHeaderAccessor.wrap(message)
				: connectedFrom(message, connection.sessionId());
		headers.setNativeHeader(CONNECTION_ID_HEADER, connection.connectionId());
		Instant tokenExpiresAt = connection.tokenExpiresAt();
		if (tokenExpiresAt != null) {
			headers.setNativeHeader(TOKEN_EXPIRES_AT_HEADER, String.valueOf(tokenExpiresAt.toEpochMilli()));
		}
		headers.setSessionId(connection.sessionId());
		headers.setLeaveMutable(true);
		return MessageBuilder.createMessage(message.getPayload(), headers.getMessageHeaders());
	}

	private StompHeaderAccessor connectedFrom(Message<?> connectAck, String sessionId) {
		StompHeaderAccessor connected = StompHeaderAccessor.create(StompCommand.CONNECTED);
		Message<?> connect = (Message<?>) connectAck.getHeaders().get(SimpMessageHeaderAccessor.CONNECT_MESSAGE_HEADER);
		StompHeaderAccessor connectHeaders = (connect != null)
				? MessageHeaderAccessor.getAccessor(connect, StompHeaderAccessor.class) : null;
		Set<String> accepted = (connectHeaders != null) ? connectHeaders.getAcceptVersion() : Set.of();
		for (String version : SUPPORTED_VERSIONS) {
			if (accepted.isEmpty() || accepted.contains(version)) {
				connected.setVersion(version);
				break;
			}
		}
		// The broker's value says how often it expects the client's heart-beats; the
		// server's own are the transport's, which sees every write to the connection.
		long[] brokerHeartbeat = (long[]) connectAck.getHeaders().get(SimpMessageHeaderAccessor.HEART_BEAT_HEADER);
		long[] clientHeartbeat = (connect != null) ? SimpMessageHeaderAccessor.getHeartbeat(connect.getHeaders())
				: null;
		connected.setHeartbeat(this.transport.agreeHeartbeats(sessionId, clientHeartbeat),
				(brokerHeartbeat != null) ? brokerHeartbeat[1] : 0);
		return connected;
	}

}
