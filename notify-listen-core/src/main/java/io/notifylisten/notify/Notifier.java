package io.notifylisten.notify;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Tells every page listening to an object that it changed. Inside a transaction the
 * message is sent after commit and dropped on rollback; outside one it is sent at once.
 *
 * <p>
 * A notification that was accepted reaches every node's listeners: on several nodes the
 * call returns once RabbitMQ confirmed it or it is held until RabbitMQ is back (or, with
 * {@code notify-listen.stream.await-confirmation=false}, once it is held in the node's
 * outbox, which a crash of the node loses). When it cannot be accepted (too many wait for
 * the broker already), the call throws {@link NotificationFailedException}: nothing is
 * dropped in silence.
 *
 * <p>
 * Entity, id and action must be valid {@link io.notifylisten.channel.ChannelName channel}
 * parts, otherwise {@link io.notifylisten.channel.InvalidChannelException} is thrown
 * before anything is sent.
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
	 * Notify listeners of {@code entity/id/action} with the payload record the action
	 * declares ({@link io.notifylisten.security.EntityAccessRules.Actions}), so that the
	 * contract's type of the payload and what is sent are the same class.
	 * @param entity entity name, for example {@code Order}
	 * @param id entity id
	 * @param action action name, for example {@code refresh}
	 * @param payload values a page can show without a round trip; never confidential
	 * data; no component may be {@code null}
	 */
	default void notify(String entity, Object id, String action, Record payload) {
		notify(entity, id, action, PayloadRecords.toMap(payload));
	}

	/**
	 * Notify listeners of a persisted object; its name and id come from its JPA
	 * {@code @Entity} and {@code @Id} annotations.
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
	 * Notify listeners of a persisted object with the payload record the action declares.
	 * @param entity the persisted object
	 * @param action action name, for example {@code refresh}
	 * @param payload values a page can show without a round trip; never confidential
	 * data; no component may be {@code null}
	 */
	default void notify(Object entity, String action, Record payload) {
		notify(entity, action, PayloadRecords.toMap(payload));
	}

	/**
	 * Notify listeners of {@code entity/id/action} for each id, in their order, as a job
	 * that changed many objects does. The promise is {@code notify}'s for each of them;
	 * on several nodes they are published together and the call returns once RabbitMQ
	 * confirmed them all (or holds them until it is back), rather than waiting a round
	 * trip after each. Every name and id is checked before anything is sent.
	 * @param entity entity name, for example {@code Order}
	 * @param ids the entities' ids
	 * @param action action name, for example {@code refresh}
	 * @throws NotificationFailedException when one cannot be accepted; those before it
	 * were, and its message says how many
	 */
	default void notifyEach(String entity, Collection<?> ids, String action) {
		for (Object id : ids) {
			notify(entity, id, action);
		}
	}

	/**
	 * Notify listeners of each persisted object, in their order, as
	 * {@link #notifyEach(String, Collection, String)} does; names and ids come from their
	 * JPA {@code @Entity} and {@code @Id} annotations.
	 * @param entities the persisted objects
	 * @param action action name, for example {@code refresh}
	 * @throws NotificationFailedException when one cannot be accepted; those before it
	 * were, and its message says how many
	 */
	default void notifyEach(Collection<?> entities, String action) {
		List<EntityReference> references = entities.stream().map(EntityReference::of).toList();
		// Consecutive objects of one entity go out together, which keeps their order.
		int start = 0;
		for (int end = 1; end <= references.size(); end++) {
			if (end == references.size() || !references.get(end).name().equals(references.get(start).name())) {
				notifyEach(references.get(start).name(),
						references.subList(start, end).stream().map(EntityReference::id).toList(), action);
				start = end;
			}
		}
	}

	/**
	 * Notify one user, on every connection they have open on any node, that an entity
	 * changed. The user receives it on the subscription to
	 * {@code /user/topic/<key>.notify}, and only if they may read the entity.
	 * @param username the user to notify
	 * @param entity entity name
	 * @param id entity id
	 * @param action action name
	 * @param payload values a page can show without a round trip; never confidential data
	 */
	void notifyUser(String username, String entity, Object id, String action, Map<String, ?> payload);

	/**
	 * Start reporting the progress of long-running work on {@code entity/id/progress}.
	 * This default sends every update; the starter's notifier coalesces them.
	 * @param entity entity name, for example {@code Job}
	 * @param id entity id
	 * @return the progress handle
	 */
	default Progress progress(String entity, Object id) {
		return new Progress() {

			// The last percent, so that every message carries all of ProgressUpdate.
			private int percent;

			@Override
			public void update(int percent, String text) {
				this.percent = percent;
				send("progress", new ProgressUpdate(percent, text, false));
			}

			@Override
			public void busy(String text) {
				send("progress", new ProgressUpdate(this.percent, text, true));
			}

			@Override
			public void done(String text) {
				send("done", new ProgressUpdate(100, text, false));
			}

			@Override
			public void failed(String text) {
				send("failed", new ProgressUpdate(this.percent, text, false));
			}

			private void send(String action, ProgressUpdate update) {
				Notifier.this.notify(entity, id, action, update);
			}

		};
	}

	/**
	 * Notify every listening connection, on any node, that subscribed to notices
	 * ({@code /user/topic/<key>.notices}) and whose user may read the entity; for example
	 * "maintenance in one hour" on {@code Broadcast/all/maintenance}.
	 * @param entity entity name
	 * @param id entity id
	 * @param action action name
	 * @param payload values a page can show without a round trip; never confidential data
	 */
	default void broadcast(String entity, Object id, String action, Map<String, ?> payload) {
		throw new UnsupportedOperationException("Broadcast is not supported by " + getClass().getName());
	}

	/**
	 * Notify the listening connections, on any node, whose user holds an authority and
	 * may read the entity; they receive it on their notices subscription.
	 * @param authority the authority (role) the users must hold, for example
	 * {@code ROLE_MANAGER}
	 * @param entity entity name
	 * @param id entity id
	 * @param action action name
	 * @param payload values a page can show without a round trip; never confidential data
	 */
	default void notifyRole(String authority, String entity, Object id, String action, Map<String, ?> payload) {
		throw new UnsupportedOperationException("Role targeting is not supported by " + getClass().getName());
	}

	/**
	 * Notify one connection, on whichever node holds it, if its user may read the entity;
	 * it receives it on its notices subscription.
	 * @param connectionId the id the connection received in CONNECTED
	 * @param entity entity name
	 * @param id entity id
	 * @param action action name
	 * @param payload values a page can show without a round trip; never confidential data
	 */
	default void notifyConnection(String connectionId, String entity, Object id, String action,
			Map<String, ?> payload) {
		throw new UnsupportedOperationException("Connection targeting is not supported by " + getClass().getName());
	}

	/**
	 * Return a notifier whose messages skip the connection that sent the current HTTP
	 * request, named by its {@value #ORIGIN_CONNECTION_HEADER} header, like Laravel's
	 * {@code toOthers()}: the page that made a change already shows it. Without the
	 * header, or outside a request, nobody is skipped.
	 * @return the notifier for this request
	 */
	default Notifier toOthers() {
		throw new UnsupportedOperationException("toOthers is not supported by " + getClass().getName());
	}

	/**
	 * Return where the notifications of {@code entity/id} stand now, for a page about to
	 * show it: take it before reading what the page shows, and hand it to the browser
	 * client's {@code listen(entity, id, handlers, { since })}, which is then sent every
	 * message notified after it, or told to reload when the server no longer has them.
	 * Every node of an application can recover from a position any node gave.
	 * @param entity entity name, for example {@code Order}
	 * @param id entity id
	 * @return the position; its {@code toString()} is what the page passes on
	 * @throws IllegalStateException when the history is off
	 * ({@code notify-listen.history.enabled=false})
	 */
	default ListenPosition positionOf(String entity, Object id) {
		throw new UnsupportedOperationException("positionOf is not supported by " + getClass().getName());
	}

	/**
	 * The HTTP request header that names the connection of the page that sent the
	 * request.
	 */
	String ORIGIN_CONNECTION_HEADER = "X-Notify-Listen-Connection";

}
