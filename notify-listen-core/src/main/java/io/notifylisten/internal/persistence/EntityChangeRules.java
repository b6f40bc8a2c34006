package io.notifylisten.internal.persistence;

import java.beans.PropertyDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.notify.NotifiesChanges;
import jakarta.persistence.metamodel.Attribute;
import jakarta.persistence.metamodel.Attribute.PersistentAttributeType;
import jakarta.persistence.metamodel.EntityType;
import jakarta.persistence.metamodel.Metamodel;
import jakarta.persistence.metamodel.SingularAttribute;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The {@link NotifiesChanges} rules of a persistence unit's entities, by entity class,
 * checked against the mapping when the persistence unit starts, so that a misspelt
 * property stops startup instead of failing a commit.
 */
final class EntityChangeRules {

	private final Map<Class<?>, EntityChangeRule> rules;

	private final List<NotifiedAction> notifiedActions;

	private EntityChangeRules(Map<Class<?>, EntityChangeRule> rules, List<NotifiedAction> notifiedActions) {
		this.rules = Map.copyOf(rules);
		this.notifiedActions = List.copyOf(notifiedActions);
	}

	/**
	 * Read and check the rules of every entity of a persistence unit.
	 * @param metamodel the persistence unit's metamodel
	 * @return the rules
	 * @throws IllegalStateException naming the entity and the property when a declaration
	 * does not fit the mapping
	 */
	static EntityChangeRules of(Metamodel metamodel) {
		Map<Class<?>, EntityChangeRule> rules = new LinkedHashMap<>();
		List<String> problems = new ArrayList<>();
		for (EntityType<?> entity : metamodel.getEntities()) {
			NotifiesChanges declaration = AnnotatedElementUtils.findMergedAnnotation(entity.getJavaType(),
					NotifiesChanges.class);
			if (declaration != null) {
				EntityChangeRule rule = EntityChangeRule.of(declaration);
				check(entity, rule, problems);
				rules.put(entity.getJavaType(), rule);
			}
		}
		if (!problems.isEmpty()) {
			throw new IllegalStateException(String.join("; ", problems));
		}
		return new EntityChangeRules(rules, notifiedActions(metamodel, rules));
	}

	/**
	 * Return the actions the entities notify, their own and those they send their
	 * parents, once each by entity and action.
	 * @return the actions
	 */
	List<NotifiedAction> notifiedActions() {
		return this.notifiedActions;
	}

	// A parent that declares @NotifiesChanges is told with its own payload: its action is
	// listed too. One that does not is told with none, but its action may be notified by
	// other code with a payload of its own, so nothing is claimed for it here. The first
	// to name an action wins.
	private static List<NotifiedAction> notifiedActions(Metamodel metamodel, Map<Class<?>, EntityChangeRule> rules) {
		Map<List<String>, NotifiedAction> actions = new LinkedHashMap<>();
		for (EntityType<?> entity : metamodel.getEntities()) {
			EntityChangeRule rule = rules.get(entity.getJavaType());
			if (rule == null) {
				continue;
			}
			List<NotifiedAction.PayloadProperty> payload = payload(entity, rule);
			for (String action : List.of(rule.created(), rule.updated(), rule.deleted())) {
				if (!action.isEmpty()) {
					actions.putIfAbsent(List.of(entity.getName(), action),
							new NotifiedAction(entity.getName(), action, payload));
				}
			}
			for (String parent : rule.parents()) {
				if (attribute(entity, parent) instanceof SingularAttribute<?, ?> association
						&& association.getType() instanceof EntityType<?> parentEntity) {
					EntityChangeRule parentRule = rules.get(parentEntity.getJavaType());
					if (parentRule != null) {
						String action = rule.actionForParent(parentRule);
						actions.putIfAbsent(List.of(parentEntity.getName(), action),
								new NotifiedAction(parentEntity.getName(), action, payload(parentEntity, parentRule)));
					}
				}
			}
		}
		return new ArrayList<>(actions.values());
	}

	private static List<NotifiedAction.PayloadProperty> payload(EntityType<?> entity, EntityChangeRule rule) {
		List<NotifiedAction.PayloadProperty> payload = new ArrayList<>();
		for (String property : rule.payload()) {
			Class<?> type = entity.getJavaType();
			PropertyDescriptor descriptor = BeanUtils.getPropertyDescriptor(type, property);
			Field field = ReflectionUtils.findField(type, property);
			Type javaType = (descriptor != null && descriptor.getReadMethod() != null)
					? descriptor.getReadMethod().getGenericReturnType()
					: (field != null) ? field.getGenericType() : Object.class;
			// A mapped column the mapping says is never empty, or a primitive, holds a
			// value; anything else may be null.
			boolean nullable = !(javaType instanceof Class<?> raw && raw.isPrimitive())
					&& !(attribute(entity, property) instanceof SingularAttribute<?, ?> basic
							&& (!basic.isOptional() || basic.isId()));
			payload.add(new NotifiedAction.PayloadProperty(property, javaType, nullable));
		}
		return payload;
	}

	/**
	 * Return the rule of an entity class.
	 * @param type the entity class, not a proxy's
	 * @return the rule, or {@code null} if the entity declares none
	 */
	@Nullable EntityChangeRule ruleFor(Class<?> type) {
		return this.rules.get(type);
	}

	boolean isEmpty() {
		return this.rules.isEmpty();
	}

	private static void check(EntityType<?> entity, EntityChangeRule rule, List<String> problems) {
		String where = "@NotifiesChanges on " + entity.getJavaType().getName();
		for (String action : List.of(rule.created(), rule.updated(), rule.deleted(), rule.parentAction())) {
			if (!action.isEmpty() && !ChannelName.isValidAction(action)) {
				problems.add(where + " names the action '" + action
						+ "', which is not a valid channel action (a letter followed by letters, digits, '_' or '-')");
			}
		}
		for (String property : rule.payload()) {
			Attribute<?, ?> attribute = attribute(entity, property);
			if (attribute != null && (attribute.isAssociation() || attribute.isCollection())) {
				problems.add(where + " puts '" + property
						+ "' in the payload, an association or collection; name a basic property, such as its id");
			}
			else if (attribute == null && !isReadable(entity.getJavaType(), property)) {
				problems.add(where + " puts '" + property + "' in the payload, which "
						+ entity.getJavaType().getSimpleName() + " has neither as a field nor as a getter");
			}
		}
		for (String parent : rule.parents()) {
			Attribute<?, ?> attribute = attribute(entity, parent);
			if (attribute == null || (attribute.getPersistentAttributeType() != PersistentAttributeType.MANY_TO_ONE
					&& attribute.getPersistentAttributeType() != PersistentAttributeType.ONE_TO_ONE)) {
				problems.add(where + " names the parent '" + parent + "', which is not a many-to-one or one-to-one "
						+ "association of " + entity.getJavaType().getSimpleName());
			}
		}
	}

	private static @Nullable Attribute<?, ?> attribute(EntityType<?> entity, String name) {
		for (Attribute<?, ?> attribute : entity.getAttributes()) {
			if (attribute.getName().equals(name)) {
				return attribute;
			}
		}
		return null;
	}

	private static boolean isReadable(Class<?> type, String property) {
		var descriptor = BeanUtils.getPropertyDescriptor(type, property);
		return (descriptor != null && descriptor.getReadMethod() != null)
				|| ReflectionUtils.findField(type, property) != null;
	}

}
