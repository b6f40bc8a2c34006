package io.notifylisten.internal.persistence;

import java.util.List;

import io.notifylisten.notify.NotifiesChanges;
import org.jspecify.annotations.Nullable;

/**
 * What {@link NotifiesChanges} declares for one entity type, checked against its mapping.
 *
 * @param created action of an inserted row, empty for none
 * @param updated action of an updated row, empty for none
 * @param deleted action of a deleted row, empty for none
 * @param payload properties every notification carries
 * @param parents associations whose entity is told of a change too
 * @param parentAction action sent to the parents, empty for each parent's own
 */
record EntityChangeRule(String created, String updated, String deleted, List<String> payload, List<String> parents,
		String parentAction) {

	static EntityChangeRule of(NotifiesChanges declaration) {
		return new EntityChangeRule(declaration.created(), declaration.updated(), declaration.deleted(),
				List.of(declaration.payload()), List.of(declaration.parents()), declaration.parentAction());
	}

	String actionOf(ChangeKind kind) {
		return switch (kind) {
			case CREATED -> this.created;
			case UPDATED -> this.updated;
			case DELETED -> this.deleted;
		};
	}

	/**
	 * Return the action this entity's change sends to one of its parents.
	 * @param parentRule the parent's own rule, or {@code null} if it declares none
	 * @return the action, empty for none
	 */
	String actionForParent(@Nullable EntityChangeRule parentRule) {
		if (!this.parentAction.isEmpty()) {
			return this.parentAction;
		}
		return (parentRule != null) ? parentRule.updated : "updated";
	}

}
