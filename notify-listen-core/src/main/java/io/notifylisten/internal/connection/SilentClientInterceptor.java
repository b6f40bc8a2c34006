package io.notifylisten.internal.connection;

import io.notifylisten.internal.transport.FanOutAware;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Says why in the ERROR frame that ends the connection of a client the embedded broker
 * cuts off for sending no heart-beats. Spring's STOMP handler writes "Session closed."
 * for it, as for a client's own DISCONNECT, which leaves a page's developer guessing.
 *
 * <p>
 * The broker acknowledges a disconnect without the client's DISCONNECT only when it cuts
 * the client off for silence; an acknowledgement of a client's DISCONNECT carries that
 * frame.
 */
public class SilentClientInterceptor implements ChannelInterceptor, FanOutAware {

	/** The ERROR message of a client cut off for sending no heart-beats. */
	public static final String NO_HEARTBEATS = "No heart-beats from the client";

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		if (!SimpMessageType.DISCONNECT_ACK.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()))
				|| message.getHeaders().get(SimpMessageHeaderAccessor.DISCONNECT_MESSAGE_HEADER) != null) {
			return message;
		}
		StompHeaderAccessor error = StompHeaderAccessor.create(StompCommand.ERROR);
		error.setMessage(NO_HEARTBEATS);
		error.setSessionId(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()));
		error.setUser(SimpMessageHeaderAccessor.getUser(message.getHeaders()));
		error.setLeaveMutable(true);
		return MessageBuilder.createMessage(message.getPayload(), error.getMessageHeaders());
	}

}
