package io.notifylisten.connection;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.broker.OrderedMessageChannelDecorator;

/**
 * Dropping a message on the client outbound channel without stalling its connection.
 */
public final class OutboundMessages {

	private OutboundMessages() {
	}

	/**
	 * Drop a message for a connection, from an interceptor's {@code beforeHandle}. With publish order
	 * preserved, the next message of the session is released by an interceptor that the channel only
	 * calls for interceptors before the one that returned {@code null}: without releasing it here,
	 * every later message of the connection would wait forever.
	 * Releasing twice is harmless: the task only acts while its message is still first in line.
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
