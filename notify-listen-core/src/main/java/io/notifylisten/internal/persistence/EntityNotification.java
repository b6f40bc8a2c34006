package io.notifylisten.internal.persistence;

import java.util.Map;

import io.notifylisten.notify.Notifier;
import org.jspecify.annotations.Nullable;

/**
 * One notification a transaction's entity changes make.
 *
 * @param entity the entity, not a proxy: the notifier takes its name and id
 * @param action the action
 * @param payload the declared properties' values
 */
record EntityNotification(Object entity, String action, Map<String, @Nullable Object> payload) {

	void sendWith(Notifier notifier) {
		notifier.notify(this.entity, this.action, this.payload);
	}

}
