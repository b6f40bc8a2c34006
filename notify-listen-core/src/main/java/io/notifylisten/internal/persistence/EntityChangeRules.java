package io.notifylisten.internal.persistence;

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

	private EntityChangeRules(Map<Class<?>, EntityChangeRule> rules) {
		this.rules = Map.copyOf(rules);
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
		return new EntityChangeRules(rules);
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
