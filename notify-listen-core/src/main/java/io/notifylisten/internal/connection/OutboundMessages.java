package io.notifylisten.internal.connection;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.OrderedMessageChannelDecorator;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

/**
 * Messages on the client outbound channel that notify-listen answers or drops itself: a
 * reply to one subscription, and a drop that does not stall its connection.
 */
public final class OutboundMessages {

	private OutboundMessages() {
	}

	/**
	 * Make the one message that answers a SUBSCRIBE on that subscription alone, before or
	 * between what the broker sends to it.
	 * @param subscribe the SUBSCRIBE, once the broker registered it
	 * @param header the MESSAGE header that tells the reply apart from notifications
	 * @param value the header's value
	 * @param json the body, JSON
	 * @return the message, for the client outbound channel
	 */
	public static Message<byte[]> replyTo(SimpMessageHeaderAccessor subscribe, String header, String value,
			byte[] json) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setSessionId(subscribe.getSessionId());
		headers.setSubscriptionId(subscribe.getSubscriptionId());
		headers.setDestination(subscribe.getDestination());
		headers.setContentType(MimeTypeUtils.APPLICATION_JSON);
		headers.setNativeHeader(header, value);
		headers.setLeaveMutable(true);
		return MessageBuilder.createMessage(json, headers.getMessageHeaders());
	}

	/**
	 * Drop a message for a connection, from an interceptor's {@code beforeHandle}. With
	 * publish order preserved, the next message of the session is released by an
	 * interceptor that the channel only calls for interceptors before the one that
	 * returned {@code null}: without releasing it here, every later message of the
	 * connection would wait forever. Releasing twice is harmless: the task only acts
	 * while its message is still first in line.
	 * @param message the message not to deliver
	 * @return {@code null}, for the interceptor to return
	 */
	public static @Nullable Message<?> drop(Message<?> message) {
		Runnable releaseNext = OrderedMessageChannelDecorator.getNextMessageTask(message);
		if (releaseNext != null) {
			releaseNext.run();
		}
		return null;
	}

}
