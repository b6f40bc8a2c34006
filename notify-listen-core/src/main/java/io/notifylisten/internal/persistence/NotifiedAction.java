package io.notifylisten.internal.persistence;

import java.lang.reflect.Type;
import java.util.List;

/**
 * An action that {@link io.notifylisten.notify.NotifiesChanges @NotifiesChanges} entities
 * notify, with the properties its payload carries, as the contract documents describe it.
 *
 * @param entity entity name, for example {@code Order}
 * @param action action name, for example {@code updated}
 * @param payload the payload's properties, in declared order
 */
public record NotifiedAction(String entity, String action, List<PayloadProperty> payload) {

	/**
	 * One property of the payload.
	 *
	 * @param name the property name, as the payload carries it
	 * @param type the property's Java type
	 * @param nullable whether the value may be {@code null}
	 */
	public record PayloadProperty(String name, Type type, boolean nullable) {

	}

}
