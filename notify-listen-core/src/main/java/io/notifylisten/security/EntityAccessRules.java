package io.notifylisten.security;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.notify.ProgressUpdate;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * The one readable place where an application says who may listen to which entity.
 *
 * <pre class="code">
 * &#64;Bean
 * EntityAccessRules entityAccessRules(OrderRepository orders) {
 *     return EntityAccessRules.builder()
 *         .entity("Order", (user, id) -&gt; orders.isVisibleTo(id, user.getName()),
 *                 (actions) -&gt; actions.action("refresh", OrderChange.class, "customer"))
 *         .entity("ChatRoom", EntityRule.anyListener())
 *         .build();
 * }
 * </pre>
 *
 * An entity's actions, each with the record its payload is, are declared beside its rule:
 * the application's contract lists and types them, and {@code Notifier.notify} takes the
 * same record. The components named after the record ({@code "customer"}) are those a
 * listener to every order may filter on. Entities without a rule fall through to the
 * application's {@link org.springframework.security.access.PermissionEvaluator}, if it
 * has one; otherwise nobody can listen to them.
 */
public final class EntityAccessRules {

	private static final EntityAccessRules NONE = new EntityAccessRules(Map.of(), Map.of());

	private final Map<String, EntityRule> rules;

	private final Map<String, List<DeclaredAction>> actions;

	private EntityAccessRules(Map<String, EntityRule> rules, Map<String, List<DeclaredAction>> actions) {
		this.rules = Map.copyOf(rules);
		this.actions = Map.copyOf(actions);
	}

	/**
	 * Start declaring rules.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return rules that allow nothing.
	 * @return empty rules
	 */
	public static EntityAccessRules none() {
		return NONE;
	}

	/**
	 * Return the rule declared for an entity.
	 * @param entity entity name
	 * @return the rule, or {@code null}
	 */
	public @Nullable EntityRule ruleFor(String entity) {
		return this.rules.get(entity);
	}

	/**
	 * Return the entities that have a rule.
	 * @return entity names
	 */
	public Set<String> entities() {
		return this.rules.keySet();
	}

	/**
	 * Return the actions declared for an entity.
	 * @param entity entity name
	 * @return the actions in the order they were declared; empty when none were
	 */
	public List<DeclaredAction> actionsOf(String entity) {
		return this.actions.getOrDefault(entity, List.of());
	}

	/**
	 * Combine these rules with others; an entity may be declared only once across all of
	 * them.
	 * @param other more rules
	 * @return the union
	 */
	public EntityAccessRules and(EntityAccessRules other) {
		Builder builder = new Builder();
		for (EntityAccessRules rules : List.of(this, other)) {
			rules.rules.forEach((entity, rule) -> builder.entity(entity, rule,
					(actions) -> rules.actionsOf(entity).forEach(actions::add)));
		}
		return builder.build();
	}

	/**
	 * One action of an entity, as declared.
	 *
	 * @param name action name
	 * @param payload the record the payload is, or {@code null} for an action without one
	 * @param filterable the payload's fields a listener to every object of the entity may
	 * filter on, in the order declared; each a component of the record with a string,
	 * number or boolean value
	 */
	public record DeclaredAction(String name, @Nullable Class<? extends Record> payload, List<String> filterable) {

		public DeclaredAction {
			filterable = List.copyOf(filterable);
		}

		/**
		 * Declare an action whose payload has no filterable field.
		 * @param name action name
		 * @param payload the record the payload is, or {@code null}
		 */
		public DeclaredAction(String name, @Nullable Class<? extends Record> payload) {
			this(name, payload, List.of());
		}

	}

	/**
	 * Declares the actions notified on one entity and the record each one's payload is.
	 */
	public static final class Actions {

		private final String entity;

		private final Map<String, DeclaredAction> actions = new LinkedHashMap<>();

		private Actions(String entity) {
			this.entity = entity;
		}

		/**
		 * Declare an action sent without a payload.
		 * @param action action name, as used in channel names
		 * @return these actions
		 */
		public Actions action(String action) {
			return add(new DeclaredAction(action, null));
		}

		/**
		 * Declare an action and the record its payload is, as passed to
		 * {@code Notifier.notify}, and the payload's fields that a listener to every
		 * object of the entity may filter on ({@code listen('Order', handlers, { where: {
		 * customer: 42 } })}). A field not named here is refused as a filter.
		 * @param action action name, as used in channel names
		 * @param payload the payload's record
		 * @param filterable components of the record, each a string, number, boolean,
		 * enum or UUID, for example {@code "customer"}
		 * @return these actions
		 * @throws IllegalArgumentException if a filterable field is not a component of
		 * the record or its value is not a string, number or boolean
		 */
		public Actions action(String action, Class<? extends Record> payload, String... filterable) {
			Assert.notNull(payload, "Payload must not be null");
			for (String field : filterable) {
				checkFilterable(action, payload, field);
			}
			return add(new DeclaredAction(action, payload, List.of(filterable)));
		}

		private void checkFilterable(String action, Class<? extends Record> payload, String field) {
			String where = "Filterable field '" + field + "' of action '" + action + "' of entity '" + this.entity
					+ "'";
			RecordComponent component = Arrays.stream(payload.getRecordComponents())
				.filter((candidate) -> candidate.getName().equals(field))
				.findFirst()
				.orElseThrow(() -> new IllegalArgumentException(
						where + " is not a component of " + payload.getSimpleName()));
			Assert.isTrue(isScalar(component.getType()),
					() -> where + " must be a string, number or boolean, not " + component.getType().getSimpleName());
		}

		// What JSON writes as a string, a number or a boolean: what a filter's value can
		// equal.
		private static boolean isScalar(Class<?> type) {
			Class<?> boxed = ClassUtils.resolvePrimitiveIfNecessary(type);
			return CharSequence.class.isAssignableFrom(boxed) || Number.class.isAssignableFrom(boxed)
					|| Boolean.class == boxed || boxed.isEnum() || UUID.class == boxed || Character.class == boxed;
		}

		/**
		 * Declare the actions of {@code Notifier.progress}: {@code progress},
		 * {@code done} and {@code failed}, each with a {@link ProgressUpdate}.
		 * @return these actions
		 */
		public Actions progress() {
			return action("progress", ProgressUpdate.class).action("done", ProgressUpdate.class)
				.action("failed", ProgressUpdate.class);
		}

		private Actions add(DeclaredAction action) {
			Assert.isTrue(ChannelName.isValidAction(action.name()),
					() -> "Invalid action name '" + action.name() + "' of entity '" + this.entity + "'");
			Assert.isTrue(!this.actions.containsKey(action.name()),
					() -> "Action '" + action.name() + "' of entity '" + this.entity + "' is declared twice");
			this.actions.put(action.name(), action);
			return this;
		}

	}

	/**
	 * Whether a user may read one entity with a given id.
	 */
	@FunctionalInterface
	public interface EntityRule {

		/**
		 * Whether the user may read the entity with this id.
		 * @param user the authenticated user
		 * @param id entity id, as text
		 * @return {@code true} to allow
		 */
		boolean canRead(Authentication user, String id);

		/**
		 * A rule that lets every user with the listen role listen, for entities that are
		 * not secret (a public ticker, a broadcast channel).
		 * @return the rule
		 */
		static EntityRule anyListener() {
			return (user, id) -> true;
		}

	}

	/**
	 * Builds {@link EntityAccessRules}.
	 */
	public static final class Builder {

		private final Map<String, EntityRule> rules = new LinkedHashMap<>();

		private final Map<String, List<DeclaredAction>> actions = new LinkedHashMap<>();

		private Builder() {
		}

		/**
		 * Declare the rule of one entity.
		 * @param entity entity name, as used in channel names
		 * @param rule the rule
		 * @return this builder
		 * @throws IllegalArgumentException if the name is not a valid entity name or
		 * already has a rule
		 */
		public Builder entity(String entity, EntityRule rule) {
			Assert.isTrue(ChannelName.isValidEntity(entity), () -> "Invalid entity name '" + entity + "'");
			Assert.notNull(rule, "Rule must not be null");
			Assert.isTrue(!this.rules.containsKey(entity), () -> "Entity '" + entity + "' already has a rule");
			this.rules.put(entity, rule);
			return this;
		}

		/**
		 * Declare the rule of one entity and the actions notified on it, which the
		 * application's contract lists with their payloads.
		 * @param entity entity name, as used in channel names
		 * @param rule the rule
		 * @param actions declares the actions, for example
		 * {@code (actions) -> actions.action("refresh", OrderChange.class)}
		 * @return this builder
		 * @throws IllegalArgumentException if the name is not a valid entity name or
		 * already has a rule, or an action name is invalid or declared twice
		 */
		public Builder entity(String entity, EntityRule rule, Consumer<Actions> actions) {
			entity(entity, rule);
			Actions declared = new Actions(entity);
			actions.accept(declared);
			this.actions.put(entity, List.copyOf(declared.actions.values()));
			return this;
		}

		/**
		 * Build the rules.
		 * @return the rules
		 */
		public EntityAccessRules build() {
			return new EntityAccessRules(this.rules, this.actions);
		}

	}

}
