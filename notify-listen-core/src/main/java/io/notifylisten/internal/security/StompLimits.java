package io.notifylisten.internal.security;

/**
 * Per-client limits enforced on inbound STOMP frames.
 *
 * @param maxHeaders most headers a frame may carry
 * @param maxDestinationLength longest destination a frame may name
 * @param maxSubscriptionsPerConnection most subscriptions one connection may hold
 * @param maxConnectionsPerUser most connections one user may hold open on this node
 * @param maxInboundFramesPerSecond most frames per second one connection may send
 */
public record StompLimits(int maxHeaders, int maxDestinationLength, int maxSubscriptionsPerConnection,
		int maxConnectionsPerUser, int maxInboundFramesPerSecond) {

	/**
	 * Limits generous enough never to get in the way of a test or a small application.
	 */
	public static final StompLimits DEFAULTS = new StompLimits(32, 256, 200, 20, 50);

}
