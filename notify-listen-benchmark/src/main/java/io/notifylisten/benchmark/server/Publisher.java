package io.notifylisten.benchmark.server;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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

	/**
	 * The message the servers notify-listen is measured against send: the fields of
	 * notify-listen's, without its epoch and sequence number.
	 * @param entity the entity name
	 * @param id the entity id
	 * @param action the action name
	 * @return the message, to be written as JSON
	 */
	static Map<String, Object> message(String entity, String id, String action) {
		Map<String, Object> message = new LinkedHashMap<>();
		message.put("entity", entity);
		message.put("id", id);
		message.put("action", action);
		message.put("changedAt", Instant.now());
		message.put("notifiedBy", "system");
		message.put("payload", Map.of());
		return message;
	}

}
