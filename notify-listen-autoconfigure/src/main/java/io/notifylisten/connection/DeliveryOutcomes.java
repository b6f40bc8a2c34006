package io.notifylisten.connection;

/**
 * Told by {@link ChannelFanOut} what became of each message it wrote or did not write, as the
 * client outbound channel's interceptors see it on Spring's path.
 */
public interface DeliveryOutcomes {

	/**
	 * A channel's message was handed to a connection's WebSocket session.
	 * @param payload the message's body, the same array for every connection of one notification
	 */
	void delivered(byte[] payload);

	/**
	 * A channel's message was refused on delivery or failed to reach the socket.
	 */
	void dropped();

}
