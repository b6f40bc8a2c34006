package io.notifylisten.presence;

import org.springframework.security.core.Authentication;

/**
 * Decides what other pages see of a user who is present on an object. Declare a bean to
 * show a display name or an avatar; without one, members show their username.
 */
@FunctionalInterface
public interface PresenceMemberResolver {

	/**
	 * Describe a user to the other members.
	 * @param user the logged-in user who joins
	 * @return what the others see; the same user must always get the same
	 * {@link PresenceMember#id()}
	 */
	PresenceMember resolve(Authentication user);

	/**
	 * Return the resolver used when the application declares none: id and name are the
	 * username.
	 * @return the resolver
	 */
	static PresenceMemberResolver usernames() {
		return (user) -> new PresenceMember(user.getName(), user.getName(), null);
	}

}
