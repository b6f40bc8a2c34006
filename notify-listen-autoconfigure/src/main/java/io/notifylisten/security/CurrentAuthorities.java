package io.notifylisten.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

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
 *
 * <p>With an executor for reloads, authorities older than {@code maxAge} are reloaded there while
 * the ones loaded before still answer, for at most another {@code maxAge}; after that the caller
 * waits for a reload of its own. Why: the caller is a delivery thread, and a
 * {@code UserDetailsService} backed by a database would otherwise hold it for a query once per
 * {@code maxAge} for every listening user (10,000 users at the default 5 s: 2,000 queries a
 * second on the threads that write to clients).
 */
public class CurrentAuthorities {

	private static final Log logger = LogFactory.getLog(CurrentAuthorities.class);

	private final UserDetailsService users;

	private final long maxAgeMillis;

	private final Clock clock;

	private final @Nullable Executor reloads;

	/** How long authorities older than maxAge still answer while they are reloaded elsewhere. */
	private final long graceMillis;

	private final Map<String, Loaded> cache = new ConcurrentHashMap<>();

	private volatile long lastPurge;

	/**
	 * Create authorities that the caller reloads itself once they are {@code maxAge} old.
	 * @param users where users are reloaded from
	 * @param maxAge how long loaded authorities are trusted
	 * @param clock the clock
	 */
	public CurrentAuthorities(UserDetailsService users, Duration maxAge, Clock clock) {
		this.users = users;
		this.maxAgeMillis = maxAge.toMillis();
		this.clock = clock;
		this.reloads = null;
		this.graceMillis = 0;
		this.lastPurge = clock.millis();
	}

	/**
	 * Create authorities that are reloaded on the given executor once they are {@code maxAge} old.
	 * @param users where users are reloaded from
	 * @param maxAge how long loaded authorities are trusted
	 * @param clock the clock
	 * @param reloads where reloads run
	 */
	public CurrentAuthorities(UserDetailsService users, Duration maxAge, Clock clock, Executor reloads) {
		this.users = users;
		this.maxAgeMillis = maxAge.toMillis();
		this.clock = clock;
		this.reloads = reloads;
		this.graceMillis = this.maxAgeMillis;
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
		String username = user.getName();
		long now = this.clock.millis();
		Loaded loaded = this.cache.get(username);
		if (loaded != null && now - loaded.at < this.maxAgeMillis) {
			return loaded;
		}
		Executor reloads = this.reloads;
		if (loaded != null && reloads != null && !isPastGrace(loaded, now)) {
			reloadLater(reloads, username, loaded);
			return loaded;
		}
		// Never loaded, no executor, or the reload is overdue: this caller waits for one.
		loaded = new Loaded(load(username), now);
		this.cache.put(username, loaded);
		purgeOverdue(now);
		return loaded;
	}

	private void reloadLater(Executor reloads, String username, Loaded stale) {
		if (!stale.startReload()) {
			return;
		}
		try {
			reloads.execute(() -> reload(username, stale));
		}
		catch (RejectedExecutionException ex) {
			// Shutting down, or the executor is full: the next caller past the grace loads itself.
			stale.reloadEnded();
		}
	}

	private void reload(String username, Loaded stale) {
		long started = this.clock.millis();
		try {
			this.cache.replace(username, stale, new Loaded(load(username), started));
			purgeOverdue(started);
		}
		catch (RuntimeException ex) {
			// Fails closed all the same: past the grace, the caller's own reload throws and nothing
			// is delivered. Until then another caller tries again.
			logger.warn("Could not reload the authorities of user " + username, ex);
		}
		finally {
			stale.reloadEnded();
		}
	}

	// Users who stopped listening would otherwise stay in the cache for good. An entry past its
	// grace is reloaded before use anyway; dropping them at most once per maxAge keeps the cost to
	// one pass.
	private void purgeOverdue(long now) {
		if (now - this.lastPurge < this.maxAgeMillis) {
			return;
		}
		this.lastPurge = now;
		this.cache.values().removeIf((loaded) -> isPastGrace(loaded, now));
	}

	// Loaded authorities answer for maxAge, and with an executor for another maxAge while their
	// reload runs there.
	private boolean isPastGrace(Loaded loaded, long now) {
		return now - loaded.at >= this.maxAgeMillis + this.graceMillis;
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

		private final AtomicBoolean reloading = new AtomicBoolean();

		Loaded(Collection<? extends GrantedAuthority> authorities, long at) {
			this.authorities = authorities;
			this.at = at;
		}

		/** Return whether the caller is the one to reload these; one reload at a time. */
		boolean startReload() {
			return this.reloading.compareAndSet(false, true);
		}

		void reloadEnded() {
			this.reloading.set(false);
		}

	}

	private record Built(Authentication original, Authentication current) {

	}

}
