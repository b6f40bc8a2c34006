package io.notifylisten.notify;

import java.util.Map;

/**
 * Tells every page listening to an object that it changed. Inside a transaction the message is
 * sent after commit and dropped on rollback; outside one it is sent at once.
 *
 * <p>When the message broker cannot take a message (the external broker is down), the call throws
 * {@link NotificationFailedException}: nothing is dropped in silence.
 *
 * <p>Entity, id and action must be valid {@link io.notifylisten.channel.ChannelName channel} parts,
 * otherwise {@link io.notifylisten.channel.InvalidChannelException} is thrown before anything is sent.
 */
public interface Notifier {

	/**
	 * Notify listeners of {@code entity/id/action}.
	 * @param entity entity name, for example {@code Order}
	 * @param id entity id
	 * @param action action name, for example {@code refresh}
	 */
	default void notify(String entity, Object id, String action) {
		notify(entity, id, action, Map.of());
	}

	/**
	 * Notify listeners of {@code entity/id/action} with a small payload.
	 * @param entity entity name, for example {@code Order}
	 * @param id entity id
	 * @param action action name, for example {@code refresh}
	 * @param payload values a page can show without a round trip; never confidential data
	 */
	void notify(String entity, Object id, String action, Map<String, ?> payload);

	/**
	 * Notify listeners of a persisted object; its name and id come from its JPA {@code @Entity}
	 * and {@code @Id} annotations.
	 * @param entity the persisted object
	 * @param action action name, for example {@code refresh}
	 */
	default void notify(Object entity, String action) {
		notify(entity, action, Map.of());
	}

	/**
	 * Notify listeners of a persisted object with a small payload.
	 * @param entity the persisted object
	 * @param action action name, for example {@code refresh}
	 * @param payload values a page can show without a round trip; never confidential data
	 */
	default void notify(Object entity, String action, Map<String, ?> payload) {
		EntityReference reference = EntityReference.of(entity);
		notify(reference.name(), reference.id(), action, payload);
	}

	/**
	 * Notify one user, on every connection they have open on any node, that an entity changed.
	 * The user receives it on the subscription to {@code /user/topic/<key>.notify}, and only if
	 * they may read the entity.
	 * @param username the user to notify
	 * @param entity entity name
	 * @param id entity id
	 * @param action action name
	 * @param payload values a page can show without a round trip; never confidential data
	 */
	void notifyUser(String username, String entity, Object id, String action, Map<String, ?> payload);

	/**
	 * Start reporting the progress of long-running work on {@code entity/id/progress}. This default
	 * sends every update; the starter's notifier coalesces them.
	 * @param entity entity name, for example {@code Job}
	 * @param id entity id
	 * @return the progress handle
	 */
	default Progress progress(String entity, Object id) {
		return new Progress() {

			@Override
			public void update(int percent, String text) {
				Notifier.this.notify(entity, id, "progress", Map.of("percent", percent, "text", text, "busy", false));
			}

			@Override
			public void busy(String text) {
				Notifier.this.notify(entity, id, "progress", Map.of("text", text, "busy", true));
			}

			@Override
			public void done(String text) {
				Notifier.this.notify(entity, id, "done", Map.of("percent", 100, "text", text, "busy", false));
			}

			@Override
			public void failed(String text) {
				Notifier.this.notify(entity, id, "failed", Map.of("text", text, "busy", false));
			}

		};
	}

}
