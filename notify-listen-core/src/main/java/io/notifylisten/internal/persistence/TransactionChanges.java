package io.notifylisten.internal.persistence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;

/**
 * The changes to entities with a rule that one transaction flushed, turned into the
 * notifications they make once the last flush is done: one per entity, id and action,
 * parents told with their children, a parent deleted in the same transaction not told.
 */
final class TransactionChanges {

	private final EntityChangeRules rules;

	private final Entities entities;

	private final Map<Object, Change> changes = new LinkedHashMap<>();

	private final Set<Object> deleted = new HashSet<>();

	TransactionChanges(EntityChangeRules rules, Entities entities) {
		this.rules = rules;
		this.entities = entities;
	}

	/**
	 * Record a change Hibernate wrote.
	 * @param kind what happened
	 * @param entity the entity, not a proxy
	 */
	void record(ChangeKind kind, Object entity) {
		Object key = this.entities.keyOf(entity);
		// The latest instance wins: its state is the one the transaction commits.
		this.changes.put(List.of(key, kind), new Change(kind, entity));
		if (kind == ChangeKind.DELETED) {
			this.deleted.add(key);
		}
	}

	/**
	 * Return the notifications the recorded changes make, with the payloads the entities
	 * hold now. Loads a parent that is still a proxy.
	 * @return the notifications, in the order the changes were first written
	 */
	List<EntityNotification> notifications() {
		Map<Object, EntityNotification> notifications = new LinkedHashMap<>();
		for (Change change : this.changes.values()) {
			EntityChangeRule rule = ruleOf(change.entity());
			add(notifications, change.entity(), rule, rule.actionOf(change.kind()));
			tellParents(notifications, change.entity(), rule);
		}
		return new ArrayList<>(notifications.values());
	}

	private void tellParents(Map<Object, EntityNotification> notifications, Object entity, EntityChangeRule rule) {
		for (String property : rule.parents()) {
			Object reference = read(entity, property);
			if (reference == null || this.deleted.contains(this.entities.keyOf(reference))) {
				continue;
			}
			Object parent = this.entities.load(reference);
			EntityChangeRule parentRule = this.rules.ruleFor(parent.getClass());
			// A parent told already has told its own parents: this also ends a cycle.
			if (add(notifications, parent, parentRule, rule.actionForParent(parentRule)) && parentRule != null) {
				tellParents(notifications, parent, parentRule);
			}
		}
	}

	private boolean add(Map<Object, EntityNotification> notifications, Object entity, @Nullable EntityChangeRule rule,
			String action) {
		if (action.isEmpty()) {
			return false;
		}
		Object key = List.of(this.entities.keyOf(entity), action);
		if (notifications.containsKey(key)) {
			return false;
		}
		notifications.put(key, new EntityNotification(entity, action, payload(entity, rule)));
		return true;
	}

	private EntityChangeRule ruleOf(Object entity) {
		EntityChangeRule rule = this.rules.ruleFor(entity.getClass());
		if (rule == null) {
			throw new IllegalStateException("No @NotifiesChanges rule for " + entity.getClass().getName());
		}
		return rule;
	}

	private static Map<String, @Nullable Object> payload(Object entity, @Nullable EntityChangeRule rule) {
		Map<String, @Nullable Object> payload = new LinkedHashMap<>();
		if (rule != null) {
			for (String property : rule.payload()) {
				payload.put(property, read(entity, property));
			}
		}
		return payload;
	}

	// The getter where there is one, as EntityReference reads the id; the field
	// otherwise.
	private static @Nullable Object read(Object entity, String property) {
		BeanWrapper bean = PropertyAccessorFactory.forBeanPropertyAccess(entity);
		if (bean.isReadableProperty(property)) {
			return bean.getPropertyValue(property);
		}
		return PropertyAccessorFactory.forDirectFieldAccess(entity).getPropertyValue(property);
	}

	private record Change(ChangeKind kind, Object entity) {
	}

	/**
	 * How entities of the persistence unit are identified and loaded.
	 */
	interface Entities {

		/**
		 * Return a key equal for an entity and every proxy of it, without loading a
		 * proxy.
		 * @param entityOrProxy the entity or a proxy of it
		 * @return the key
		 */
		Object keyOf(Object entityOrProxy);

		/**
		 * Return the entity behind a proxy, loading it if need be.
		 * @param entityOrProxy the entity or a proxy of it
		 * @return the entity
		 */
		Object load(Object entityOrProxy);

	}

}
