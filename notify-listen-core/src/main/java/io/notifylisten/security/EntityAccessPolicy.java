package io.notifylisten.security;

import org.springframework.security.core.Authentication;

/**
 * Decides whether a user may read an entity, and so listen to it. Define a bean of this
 * type to replace the default, which applies {@link EntityAccessRules} and then the
 * application's {@link org.springframework.security.access.PermissionEvaluator}.
 */
@FunctionalInterface
public interface EntityAccessPolicy {

	/**
	 * Whether the user may read the entity with the given id.
	 * @param user the authenticated user
	 * @param entity entity name, for example {@code Order}
	 * @param id entity id, as text
	 * @return {@code true} to allow; anything else denies
	 */
	boolean canRead(Authentication user, String entity, String id);

	/**
	 * Whether this policy has any rule for an entity; entities without one are named in
	 * the startup log because nobody can listen to them.
	 * @param entity entity name
	 * @return whether some user could ever be allowed
	 */
	default boolean covers(String entity) {
		return true;
	}

}
