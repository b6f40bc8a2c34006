package io.notifylisten.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

/**
 * A user's authorities as they are now, not as they were at login: an open connection outlives the
 * moment its user's roles were read, and a revoked listen role must stop delivery. Reloaded through
 * the application's {@link UserDetailsService} at most once per {@code maxAge} per user; a user
 * who is gone, disabled or locked has none.
 */
public class CurrentAuthorities {

	private final UserDetailsService users;

	private final long maxAgeMillis;

	private final Clock clock;

	private final Map<String, Loaded> cache = new ConcurrentHashMap<>();

	private volatile long lastPurge;

	public CurrentAuthorities(UserDetailsService users, Duration maxAge, Clock clock) {
		this.users = users;
		this.maxAgeMillis = maxAge.toMillis();
		this.clock = clock;
		this.lastPurge = clock.millis();
	}

	/**
	 * Return the user as authenticated now: the same principal and details, with the authorities
	 * the user holds now. Asked on every delivery, so the answer is kept with the authorities.
	 * @param user the user as authenticated when the connection opened
	 * @return the user with current authorities
	 */
	public Authentication asNow(Authentication user) {
		Loaded loaded = loaded(user);
		Built built = loaded.built;
		if (built != null && built.original() == user) {
			return built.current();
		}
		UsernamePasswordAuthenticationToken current = UsernamePasswordAuthenticationToken
			.authenticated(user.getPrincipal(), null, loaded.authorities);
		current.setDetails(user.getDetails());
		loaded.built = new Built(user, current);
		return current;
	}

	// Milliseconds rather than Instants: this runs on every delivery.
	private Loaded loaded(Authentication user) {
		long now = this.clock.millis();
		Loaded loaded = this.cache.get(user.getName());
		if (loaded == null || isExpired(loaded, now)) {
			loaded = new Loaded(load(user.getName()), now);
			this.cache.put(user.getName(), loaded);
			purgeExpired(now);
		}
		return loaded;
	}

	// Users who stopped listening would otherwise stay in the cache for good. An expired entry is
	// reloaded before use anyway; dropping them at most once per maxAge keeps the cost to one pass.
	private void purgeExpired(long now) {
		if (now - this.lastPurge < this.maxAgeMillis) {
			return;
		}
		this.lastPurge = now;
		this.cache.values().removeIf((loaded) -> isExpired(loaded, now));
	}

	private boolean isExpired(Loaded loaded, long now) {
		return now - loaded.at >= this.maxAgeMillis;
	}

	/**
	 * Return for how many users authorities are cached.
	 * @return the count
	 */
	int size() {
		return this.cache.size();
	}

	private Collection<? extends GrantedAuthority> load(String username) {
		try {
			UserDetails details = this.users.loadUserByUsername(username);
			boolean active = details.isEnabled() && details.isAccountNonLocked() && details.isAccountNonExpired();
			return active ? List.copyOf(details.getAuthorities()) : List.of();
		}
		catch (UsernameNotFoundException ex) {
			return List.of();
		}
	}

	private static final class Loaded {

		final Collection<? extends GrantedAuthority> authorities;

		final long at;

		/** The last user asked for, as authenticated now; connections of the same user take turns. */
		volatile @Nullable Built built;

		Loaded(Collection<? extends GrantedAuthority> authorities, long at) {
			this.authorities = authorities;
			this.at = at;
		}

	}

	private record Built(Authentication original, Authentication current) {

	}

}
