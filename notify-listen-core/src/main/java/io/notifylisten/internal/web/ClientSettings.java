package io.notifylisten.internal.web;

import org.jspecify.annotations.Nullable;

/**
 * Public settings a browser client needs, served at {@code /rest/pusher/key}. Nothing
 * here is secret: the subscription secret never leaves the server.
 *
 * @param key public application key
 * @param endpoint path of the STOMP-over-WebSocket endpoint
 * @param authEndpoint path that signs subscriptions
 * @param channelFormat how channel names are written
 * @param destinationFormat the STOMP destination to subscribe to for a channel
 * @param presenceDestinationFormat the STOMP destination to subscribe to for an object's
 * presence, or {@code null} where presence is off
 * @param signatureRequired whether SUBSCRIBE must carry a signature in its {@code auth}
 * header
 * @param heartbeatOutgoing how often the client should send heart-beats, in milliseconds
 * @param heartbeatIncoming how often the server sends heart-beats, in milliseconds
 * @param csrf the CSRF token the CONNECT frame and the auth request must carry, when the
 * app uses one
 */
public record ClientSettings(String key, String endpoint, String authEndpoint, String channelFormat,
		String destinationFormat, @Nullable String presenceDestinationFormat, boolean signatureRequired,
		long heartbeatOutgoing, long heartbeatIncoming, @Nullable Csrf csrf) {

	/**
	 * The CSRF header and token for this HTTP session.
	 *
	 * @param headerName header to send the token in
	 * @param token the (masked) token
	 */
	public record Csrf(String headerName, String token) {

	}

}
