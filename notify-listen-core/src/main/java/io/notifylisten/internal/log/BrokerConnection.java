package io.notifylisten.internal.log;

import java.util.Map;

/**
 * A node's connection to the broker that holds its notification log, as health and
 * operators see it. Kept apart from the log's class so that reading it needs no broker
 * client on the class path.
 */
public interface BrokerConnection {

	/**
	 * Return whether this node currently publishes to and reads from the broker.
	 * @return whether it is connected
	 */
	boolean isConnected();

	/**
	 * Return how many accepted notifications wait to be published.
	 * @return the number waiting
	 */
	int waiting();

	/**
	 * Return whether notifications are refused now, because too many wait or for too
	 * long.
	 * @return whether notify throws
	 */
	boolean isRefusing();

	/**
	 * Return where the log is on the broker, never with a password.
	 * @return a description for health and logs
	 */
	String describe();

	/**
	 * Return how many records read from the log were dropped because they do not verify,
	 * since this node started.
	 * @return the count by reason ({@code unsigned}, {@code unknown-format},
	 * {@code bad-signature}), every reason present
	 */
	Map<String, Long> rejectedRecords();

}
