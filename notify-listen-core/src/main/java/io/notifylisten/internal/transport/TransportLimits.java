package io.notifylisten.internal.transport;

import java.time.Duration;

/**
 * The limits of each connection's transport.
 *
 * @param timeToFirstConnect how long a new WebSocket may take to send CONNECT
 * @param maxFrameSize the largest STOMP frame a client may send, in bytes
 * @param sendTimeLimit the longest one write to a client may block
 * @param sendBufferSizeLimit the most bytes that may wait for a client before it is cut
 * off
 * @param conflationThreshold the bytes waiting for a client over which it gets only the
 * latest message of each channel
 */
public record TransportLimits(Duration timeToFirstConnect, int maxFrameSize, Duration sendTimeLimit,
		long sendBufferSizeLimit, long conflationThreshold) {

}
