package io.notifylisten.internal.persistence;

import java.util.List;

/**
 * The actions that {@link io.notifylisten.notify.NotifiesChanges @NotifiesChanges}
 * entities notify, for the contract documents; free of Hibernate types, so that code
 * without Hibernate can ask for it.
 */
public interface NotifiedActions {

	/**
	 * Return the actions of the entities of every persistence unit seen so far.
	 * @return the actions, once each by entity and action
	 */
	List<NotifiedAction> notifiedActions();

}
