package io.notifylisten.internal.log;

import java.time.Duration;

/**
 * How a node reaches the RabbitMQ stream that several nodes share as their notification
 * log.
 *
 * @param host the broker's host; every connection goes there
 * @param port the stream plugin's port
 * @param username login on the broker
 * @param password password on the broker
 * @param virtualHost virtual host on the broker
 * @param stream the stream's name
 * @param maxAge how long the stream keeps notifications
 * @param maxSizeBytes most bytes the stream keeps
 * @param confirmTimeout how long notify waits for the broker's confirmation
 * @param awaitConfirmation whether notify waits for the broker's confirmation at all
 * while connected; otherwise it returns once the notification is in the outbox
 * @param recoveryInterval how often a lost connection is tried again
 * @param outboxMaxSize most notifications held while the broker cannot take them
 * @param outboxMaxAge longest a held notification may wait before no more are accepted
 * @param historyTtl how far back a starting node reads to rebuild its history
 * @param shutdownTimeout how long Spring gives each shutdown phase
 * ({@code spring.lifecycle.timeout-per-shutdown-phase}): a stopping node publishes what
 * its outbox holds within it
 */
public record StreamSettings(String host, int port, String username, String password, String virtualHost, String stream,
		Duration maxAge, long maxSizeBytes, Duration confirmTimeout, boolean awaitConfirmation,
		Duration recoveryInterval, int outboxMaxSize, Duration outboxMaxAge, Duration historyTtl,
		Duration shutdownTimeout) {

	/**
	 * Return where the stream is, for logs and health: never the password.
	 * @return host, port, virtual host and stream
	 */
	public String describe() {
		return "stream '" + this.stream + "' on " + this.host + ":" + this.port + " (virtual host " + this.virtualHost
				+ ")";
	}

	@Override
	public String toString() {
		return "StreamSettings[" + describe() + "]";
	}

}
