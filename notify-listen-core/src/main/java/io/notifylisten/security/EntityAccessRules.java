package io.notifylisten.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.notifylisten.channel.ChannelName;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.util.Assert;

/**
 * The one readable place where an application says who may listen to which entity.
 *
 * <pre class="code">
 * &#64;Bean
 * EntityAccessRules entityAccessRules(OrderRepository orders) {
 *     return EntityAccessRules.builder()
 *         .entity("Order", (user, id) -&gt; orders.isVisibleTo(id, user.getName()))
 *         .entity("ChatRoom", EntityRule.anyListener())
 *         .build();
 * }
 * </pre>
 *
 * Entities without a rule fall through to the application's
 * {@link org.springframework.security.access.PermissionEvaluator}, if it has one;
 * otherwise nobody can listen to them.
 */
public final class EntityAccessRules {

	private static final EntityAccessRules NONE = new EntityAccessRules(Map.of());

	private final Map<String, EntityRule> rules;

	private EntityAccessRules(Map<String, EntityRule> rules) {
		this.rules = Map.copyOf(rules);
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
	 * Combine these rules with others; an entity may be declared only once across all of
	 * them.
	 * @param other more rules
	 * @return the union
	 */
	public EntityAccessRules and(EntityAccessRules other) {
		Builder builder = new Builder();
		this.rules.forEach(builder::entity);
		other.rules.forEach(builder::entity);
		return builder.build();
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
		 * Build the rules.
		 * @return the rules
		 */
		public EntityAccessRules build() {
			return new EntityAccessRules(this.rules);
		}

	}

}
