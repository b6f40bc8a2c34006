package io.notifylisten.internal.security;

import java.util.concurrent.CompletableFuture;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.security.EntityAccessPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;

/**
 * The one check that guards listening, used alike by {@code /rest/pusher/auth} and by
 * STOMP SUBSCRIBE: the user is logged in, holds the listen role and may read the entity.
 */
public class ListenAuthorizer {

	private static final AuthenticationTrustResolver trustResolver = new AuthenticationTrustResolverImpl();

	/** What this authorizer keeps with each connection. */
	private static final ListenerConnection.Attachment<Answers> ANSWERS = new ListenerConnection.Attachment<>(
			Answers::new);

	private final AuthorityAuthorizationManager<Object> listenRole;

	private final EntityAccessPolicy entityAccessPolicy;

	private final @Nullable CurrentAuthorities currentAuthorities;

	/**
	 * Create an authorizer.
	 * @param listenRole the authority a user must hold to listen
	 * @param entityAccessPolicy who may read which entity
	 * @param currentAuthorities users' authorities as they are now, to re-check the role
	 * on delivery; {@code null} to check it at SUBSCRIBE only
	 */
	public ListenAuthorizer(String listenRole, EntityAccessPolicy entityAccessPolicy,
			@Nullable CurrentAuthorities currentAuthorities) {
		// Spring Security's manager rather than a plain authority lookup, so a
		// RoleHierarchy can be set.
		this.listenRole = AuthorityAuthorizationManager.hasAuthority(listenRole);
		this.entityAccessPolicy = entityAccessPolicy;
		this.currentAuthorities = currentAuthorities;
	}

	/**
	 * Return the user if logged in.
	 * @param principal the principal of a request or connection
	 * @return the authenticated user
	 * @throws ListenDeniedException if there is no logged-in user
	 */
	public static Authentication requireLogin(@Nullable Object principal) {
		if (principal instanceof Authentication authentication && trustResolver.isAuthenticated(authentication)) {
			return authentication;
		}
		throw new ListenDeniedException("Login required");
	}

	/**
	 * Check that a user may listen to a channel.
	 * @param user the user
	 * @param channel the channel
	 * @throws ListenDeniedException if not
	 */
	public void check(Authentication user, ChannelName channel) {
		// The entity policy sees the same authorities as on delivery.
		Authentication current = roleChecked(user);
		if (!canRead(current, channel)) {
			throw new ListenDeniedException("Not allowed to read " + channel.entity() + " " + channel.id());
		}
	}

	/**
	 * Check that a user is logged in and holds the listen role, as the user's authorities
	 * are now where they can be reloaded (so that the first delivery finds them loaded,
	 * and a role revoked since they were last loaded, up to {@code role-recheck-interval}
	 * before, is refused here).
	 * @param user the user
	 * @throws ListenDeniedException if not
	 */
	public void checkRole(Authentication user) {
		roleChecked(user);
	}

	private Authentication roleChecked(Authentication user) {
		requireLogin(user);
		Authentication current = current(user);
		if (!holdsListenRole(current)) {
			throw new ListenDeniedException("Listen role required");
		}
		return current;
	}

	/**
	 * Whether a message about a channel may still be delivered to a user: the listen role
	 * (as the user's authorities are now, where they can be reloaded) and the entity
	 * access, both checked again on every delivery so that lost entity access takes
	 * effect with the next message, and a lost role once the authorities are reloaded
	 * (see {@link CurrentAuthorities}).
	 * @param user the user as authenticated when the connection opened
	 * @param channel the channel
	 * @return whether to deliver
	 */
	public boolean canDeliver(Authentication user, ChannelName channel) {
		Authentication current = current(user);
		return holdsListenRole(current) && canRead(current, channel);
	}

	/**
	 * Whether a message about a channel may still be delivered to a connection's user, as
	 * {@link #canDeliver(Authentication, ChannelName)}. The user as authenticated now and
	 * whether they hold the listen role are kept with the connection until their
	 * authorities are due for a reload: the same answer the authorities would give
	 * meanwhile, without looking the user up among all users on every delivery (a tenth
	 * of the delivering threads' time at 10,000 listeners, BENCHMARKS.md, "The delivery
	 * check kept with the connection").
	 * @param connection the connection
	 * @param channel the channel
	 * @return whether to deliver
	 */
	public boolean canDeliver(ListenerConnection connection, ChannelName channel) {
		CurrentAuthorities authorities = this.currentAuthorities;
		if (authorities == null) {
			return canDeliver(connection.user(), channel);
		}
		Answers answers = connection.attachment(ANSWERS);
		CheckedUser checked = answers.checkedUser;
		if (checked == null || authorities.millis() >= checked.until()) {
			CurrentAuthorities.Answer answer = authorities.answer(connection.user());
			checked = new CheckedUser(answer.current(), holdsListenRole(answer.current()), answer.until());
			answers.checkedUser = checked;
		}
		return checked.listens() && canRead(checked.current(), channel);
	}

	private boolean holdsListenRole(Authentication current) {
		AuthorizationResult role = this.listenRole.authorize(() -> current, current);
		return role != null && role.isGranted();
	}

	/**
	 * Whether a user holds an authority, as their authorities are now where they can be
	 * reloaded.
	 * @param user the user as authenticated when the connection opened
	 * @param authority the authority
	 * @return whether the user holds it
	 */
	public boolean hasAuthority(Authentication user, String authority) {
		AuthorizationResult result = AuthorityAuthorizationManager.hasAuthority(authority)
			.authorize(() -> current(user), user);
		return result != null && result.isGranted();
	}

	/**
	 * Return when the current authorities of a connection's user can be had without a
	 * load on the caller: see {@link CurrentAuthorities#whenCurrent}. Asked before every
	 * turn of the connection's outbox, so the answer is kept with the connection for as
	 * long as it holds.
	 * @param connection the connection
	 * @return {@code null} if at once, or the load to wait for
	 */
	public @Nullable CompletableFuture<Void> whenCurrent(ListenerConnection connection) {
		CurrentAuthorities authorities = this.currentAuthorities;
		Answers answers = connection.attachment(ANSWERS);
		if (authorities == null || authorities.millis() < answers.authoritiesAnswerUntil) {
			return null;
		}
		CompletableFuture<Void> load = authorities.whenCurrent(connection.user());
		if (load == null) {
			answers.authoritiesAnswerUntil = authorities.answersUntil(connection.user());
		}
		return load;
	}

	private Authentication current(Authentication user) {
		if (this.currentAuthorities == null) {
			return user;
		}
		return this.currentAuthorities.asNow(user);
	}

	/**
	 * Whether the user may read the entity a channel is about.
	 * @param user the user
	 * @param channel the channel
	 * @return whether the entity policy allows it
	 */
	public boolean canRead(Authentication user, ChannelName channel) {
		return this.entityAccessPolicy.canRead(user, channel.entity(), channel.id());
	}

	/**
	 * Set the role hierarchy used for the listen role.
	 * @param roleHierarchy the hierarchy
	 */
	public void setRoleHierarchy(RoleHierarchy roleHierarchy) {
		this.listenRole.setRoleHierarchy(roleHierarchy);
	}

	/**
	 * The answers kept with a connection while the authorities behind them are fresh: the
	 * user as authenticated now, and until when their authorities need no load.
	 */
	private static final class Answers {

		private volatile @Nullable CheckedUser checkedUser;

		/** In the authorities' clock's milliseconds. */
		private volatile long authoritiesAnswerUntil;

	}

	/**
	 * The user of a connection as authenticated now, whether they hold the listen role,
	 * and until when that answer stands.
	 *
	 * @param current the user with the authorities they hold now
	 * @param listens whether they hold the listen role
	 * @param until until when, in the authorities' clock's milliseconds
	 */
	private record CheckedUser(Authentication current, boolean listens, long until) {

	}

}
