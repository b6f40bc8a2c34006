package io.notifylisten.internal.transport;

import io.notifylisten.channel.ChannelName;

import org.springframework.messaging.Message;

/**
 * What {@link ChannelFanOut} asks before it writes a channel's message to a connection,
 * so that the direct fan-out follows the same delivery rules as every other route.
 */
public interface DeliveryCheck {

	/**
	 * Return whether every allowed connection gets a message as it was notified, so that
	 * one encoding serves them all; not so when a handler runs per connection or the
	 * message is meant for some connections only.
	 * @param message the message the broker is about to fan out
	 * @param channel the channel of its destination
	 * @return whether it goes out unchanged
	 */
	boolean deliversUnchanged(Message<?> message, ChannelName channel);

	/**
	 * Return whether the user of a connection may receive a channel's messages now.
	 * @param sessionId the connection's WebSocket session id
	 * @param channel the channel
	 * @return whether the message may be written to the connection
	 */
	boolean mayDeliver(String sessionId, ChannelName channel);

}
