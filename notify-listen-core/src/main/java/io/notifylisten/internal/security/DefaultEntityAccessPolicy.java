package io.notifylisten.internal.security;

import io.notifylisten.security.EntityAccessPolicy;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.EntityRule;
import org.jspecify.annotations.Nullable;

import org.springframework.security.access.PermissionEvaluator;
import org.springframework.security.core.Authentication;

/**
 * {@link EntityAccessPolicy} that applies the declared {@link EntityAccessRules} first
 * and, for entities without a rule, asks the application's {@link PermissionEvaluator}
 * for {@code hasPermission(user, id, entity, "read")}. With neither, access is denied.
 */
public class DefaultEntityAccessPolicy implements EntityAccessPolicy {

	/** The permission asked of a {@link PermissionEvaluator}. */
	public static final String READ_PERMISSION = "read";

	private final EntityAccessRules rules;

	private final @Nullable PermissionEvaluator permissionEvaluator;

	public DefaultEntityAccessPolicy(EntityAccessRules rules, @Nullable PermissionEvaluator permissionEvaluator) {
		this.rules = rules;
		this.permissionEvaluator = permissionEvaluator;
	}

	@Override
	public boolean canRead(Authentication user, String entity, String id) {
		EntityRule rule = this.rules.ruleFor(entity);
		if (rule != null) {
			return rule.canRead(user, id);
		}
		if (this.permissionEvaluator != null) {
			return this.permissionEvaluator.hasPermission(user, id, entity, READ_PERMISSION);
		}
		return false;
	}

	@Override
	public boolean covers(String entity) {
		return this.rules.ruleFor(entity) != null || this.permissionEvaluator != null;
	}

}
