package io.notifylisten.benchmark.server;

/**
 * Sends one "this object changed" message the way the server under test does it.
 */
@FunctionalInterface
public interface Publisher {

	/**
	 * Send one message to the listeners of a channel.
	 * @param entity the entity name
	 * @param id the entity id
	 * @param action the action name
	 */
	void publish(String entity, String id, String action);

}
