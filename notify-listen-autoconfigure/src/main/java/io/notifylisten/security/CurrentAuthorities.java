package io.notifylisten.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

	private final Duration maxAge;

	private final Clock clock;

	private final Map<String, Loaded> cache = new ConcurrentHashMap<>();

	private volatile Instant lastPurge;

	public CurrentAuthorities(UserDetailsService users, Duration maxAge, Clock clock) {
		this.users = users;
		this.maxAge = maxAge;
		this.clock = clock;
		this.lastPurge = clock.instant();
	}

	/**
	 * Return the user's current authorities.
	 * @param user the user as authenticated when the connection opened
	 * @return the authorities now
	 */
	public Collection<? extends GrantedAuthority> of(Authentication user) {
		Instant now = this.clock.instant();
		Loaded loaded = this.cache.get(user.getName());
		if (loaded == null || isExpired(loaded, now)) {
			loaded = new Loaded(load(user.getName()), now);
			this.cache.put(user.getName(), loaded);
			purgeExpired(now);
		}
		return loaded.authorities();
	}

	// Users who stopped listening would otherwise stay in the cache for good. An expired entry is
	// reloaded before use anyway; dropping them at most once per maxAge keeps the cost to one pass.
	private void purgeExpired(Instant now) {
		if (now.isBefore(this.lastPurge.plus(this.maxAge))) {
			return;
		}
		this.lastPurge = now;
		this.cache.values().removeIf((loaded) -> isExpired(loaded, now));
	}

	private boolean isExpired(Loaded loaded, Instant now) {
		return !now.isBefore(loaded.at().plus(this.maxAge));
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

	private record Loaded(Collection<? extends GrantedAuthority> authorities, Instant at) {

	}

}
