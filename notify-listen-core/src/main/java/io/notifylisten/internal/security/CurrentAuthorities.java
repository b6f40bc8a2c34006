package io.notifylisten.internal.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

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
 * A user's authorities as they are now, not as they were at login: an open connection
 * outlives the moment its user's roles were read, and a revoked listen role must stop
 * delivery. Reloaded through the application's {@link UserDetailsService} about once per
 * {@code maxAge} per user while asked for; a user who is gone, disabled or locked has
 * none.
 *
 * <p>
 * With an executor for loads, authorities older than {@code maxAge} are reloaded there
 * while the ones loaded before still answer, for at most another {@code maxAge}; and a
 * connection whose user's authorities are missing or older than that waits, through
 * {@link #whenCurrent}, for a load there before anything is written to it. Why: the
 * callers are the threads that write to clients, and a {@code UserDetailsService} backed
 * by a database would otherwise hold them for a query once per {@code maxAge} for every
 * listening user (10,000 users at the default 5 s: 2,000 queries a second), and for every
 * user at once after a quiet spell. Should a load not be done when it is needed all the
 * same (it failed, took longer than {@code maxAge}, or the executor refused it), the
 * caller makes its own. A revoked authority is seen within {@code 2 × maxAge} and a load.
 */
public class CurrentAuthorities {

	private static final Log logger = LogFactory.getLog(CurrentAuthorities.class);

	private final UserDetailsService users;

	private final long maxAgeMillis;

	private final Clock clock;

	private final @Nullable Executor loads;

	/**
	 * How long authorities older than maxAge still answer while they are reloaded
	 * elsewhere.
	 */
	private final long graceMillis;

	private final Map<String, Loaded> cache = new ConcurrentHashMap<>();

	/** Loads under way on the executor, one per user. */
	private final Map<String, InFlight> loading = new ConcurrentHashMap<>();

	private volatile long lastPurge;

	/**
	 * Create authorities that the caller reloads itself once they are {@code maxAge} old.
	 * @param users where users are reloaded from
	 * @param maxAge how long loaded authorities are trusted
	 * @param clock the clock
	 */
	public CurrentAuthorities(UserDetailsService users, Duration maxAge, Clock clock) {
		this(users, maxAge, clock, null);
	}

	/**
	 * Create authorities that are loaded on the given executor once they are
	 * {@code maxAge} old.
	 * @param users where users are reloaded from
	 * @param maxAge how long loaded authorities are trusted
	 * @param clock the clock
	 * @param loads where loads run; {@code null} to load on the caller
	 */
	public CurrentAuthorities(UserDetailsService users, Duration maxAge, Clock clock, @Nullable Executor loads) {
		this.users = users;
		this.maxAgeMillis = maxAge.toMillis();
		this.clock = clock;
		this.loads = loads;
		// With no maximum age every call reloads on the caller, as configured: nothing to
		// wait for.
		this.graceMillis = (loads != null && this.maxAgeMillis > 0) ? this.maxAgeMillis : 0;
		this.lastPurge = clock.millis();
	}

	/**
	 * Return the user as authenticated now: the same principal and details, with the
	 * authorities the user holds now. Asked on every delivery, so the answer is kept with
	 * the authorities.
	 * @param user the user as authenticated when the connection opened
	 * @return the user with current authorities
	 */
	public Authentication asNow(Authentication user) {
		return answer(user).current();
	}

	/**
	 * Return the user as authenticated now, as {@link #asNow} does, with the time until
	 * which the same call would give the same answer: the end of the authorities'
	 * {@code maxAge}, after which they are reloaded. One lookup for both, so that the
	 * time belongs to the authorities returned.
	 * @param user the user as authenticated when the connection opened
	 * @return the user with current authorities, and until when they stand
	 */
	public Answer answer(Authentication user) {
		Loaded loaded = loaded(user);
		long until = loaded.at + this.maxAgeMillis;
		Built built = loaded.built;
		if (built != null && built.original() == user) {
			return new Answer(built.current(), until);
		}
		UsernamePasswordAuthenticationToken current = UsernamePasswordAuthenticationToken
			.authenticated(user.getPrincipal(), null, loaded.authorities);
		current.setDetails(user.getDetails());
		loaded.built = new Built(user, current);
		return new Answer(current, until);
	}

	/**
	 * A user as authenticated now.
	 *
	 * @param current the user with the authorities they hold now
	 * @param until until when {@link CurrentAuthorities#answer} gives the same
	 * authorities, in {@link Clock#millis()}
	 */
	public record Answer(Authentication current, long until) {
	}

	/**
	 * Return when {@link #asNow} is expected to answer for the user without loading on
	 * the caller: at once ({@code null}) when the authorities are fresh, or stale but
	 * within their grace (their reload starts on the executor), else once a load on the
	 * executor is done (started here if none is), or {@code maxAge} has passed, whichever
	 * is first: a load that hangs holds nobody for longer (the caller then loads itself).
	 * @param user the user as authenticated when the connection opened
	 * @return {@code null}, or the load to wait for
	 */
	public @Nullable CompletableFuture<Void> whenCurrent(Authentication user) {
		Executor loads = this.loads;
		if (loads == null || this.graceMillis == 0) {
			return null;
		}
		String username = user.getName();
		long now = this.clock.millis();
		Loaded loaded = this.cache.get(username);
		if (loaded != null && isFresh(loaded, now)) {
			return null;
		}
		CompletableFuture<Void> load = loadLater(loads, username, now);
		if (loaded != null && !isPastGrace(loaded, now)) {
			return null;
		}
		return load.copy().completeOnTimeout(null, this.maxAgeMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Return the time of the clock the authorities' ages are measured with.
	 * @return the time in milliseconds
	 */
	long millis() {
		return this.clock.millis();
	}

	/**
	 * Return until when {@link #whenCurrent} answers {@code null} for the user however
	 * the authorities are asked for meanwhile, in {@link Clock#millis()}: the end of the
	 * loaded authorities' grace, or 0 if none are loaded or the caller loads them.
	 * @param user the user as authenticated when the connection opened
	 * @return the time, or 0
	 */
	public long answersUntil(Authentication user) {
		Loaded loaded = (this.loads != null && this.graceMillis != 0) ? this.cache.get(user.getName()) : null;
		return (loaded != null) ? loaded.at + this.maxAgeMillis + this.graceMillis : 0;
	}

	// Milliseconds rather than Instants: this runs on every delivery.
	private Loaded loaded(Authentication user) {
		String username = user.getName();
		long now = this.clock.millis();
		Loaded loaded = this.cache.get(username);
		if (loaded != null && isFresh(loaded, now)) {
			return loaded;
		}
		Executor loads = this.loads;
		if (loaded != null && loads != null && !isPastGrace(loaded, now)) {
			loadLater(loads, username, now);
			return loaded;
		}
		// Never loaded, no executor, or the reload is overdue: this caller waits for one.
		Loaded mine = keepNewer(username, new Loaded(load(username), now));
		purgeOverdue(now);
		return mine;
	}

	// A load that started earlier may end later: the newer authorities stay.
	private Loaded keepNewer(String username, Loaded loaded) {
		return this.cache.merge(username, loaded,
				(present, candidate) -> (present.at > candidate.at) ? present : candidate);
	}

	// One load per user at a time; one that has not ended within the grace (it hangs, or
	// its task was lost) no longer counts, so that the user's authorities are not left to
	// it for good.
	private CompletableFuture<Void> loadLater(Executor loads, String username, long now) {
		InFlight underWay = this.loading.get(username);
		if (underWay != null && now - underWay.startedAt() < this.graceMillis) {
			return underWay.done();
		}
		InFlight mine = new InFlight(new CompletableFuture<>(), now);
		boolean taken = (underWay != null) ? this.loading.replace(username, underWay, mine)
				: this.loading.putIfAbsent(username, mine) == null;
		if (!taken) {
			InFlight other = this.loading.get(username);
			return (other != null) ? other.done() : CompletableFuture.completedFuture(null);
		}
		try {
			loads.execute(() -> loadNow(username, mine));
		}
		catch (RejectedExecutionException ex) {
			// Shutting down, or the executor is full: the caller loads itself when it
			// must.
			this.loading.remove(username, mine);
			mine.done().complete(null);
		}
		return mine.done();
	}

	private void loadNow(String username, InFlight mine) {
		long started = this.clock.millis();
		try {
			keepNewer(username, new Loaded(load(username), started));
			purgeOverdue(started);
		}
		catch (RuntimeException ex) {
			// Fails closed all the same: the caller that finds no current authorities
			// loads itself, and when that throws too nothing is delivered.
			logger.warn("Could not reload the authorities of user " + username, ex);
		}
		finally {
			this.loading.remove(username, mine);
			mine.done().complete(null);
		}
	}

	// Users who stopped listening would otherwise stay in the cache for good. An entry
	// past its grace is reloaded before use anyway; dropping them at most once per maxAge
	// keeps the cost to one pass.
	private void purgeOverdue(long now) {
		if (now - this.lastPurge < this.maxAgeMillis) {
			return;
		}
		this.lastPurge = now;
		this.cache.values().removeIf((loaded) -> isPastGrace(loaded, now));
	}

	private boolean isFresh(Loaded loaded, long now) {
		return now - loaded.at < this.maxAgeMillis;
	}

	// Loaded authorities answer for maxAge, and with an executor for another maxAge while
	// their reload runs there.
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

		/**
		 * The last user asked for, as authenticated now; connections of the same user
		 * take turns.
		 */
		volatile @Nullable Built built;

		Loaded(Collection<? extends GrantedAuthority> authorities, long at) {
			this.authorities = authorities;
			this.at = at;
		}

	}

	private record Built(Authentication original, Authentication current) {

	}

	/** A load under way on the executor. */
	private record InFlight(CompletableFuture<Void> done, long startedAt) {

	}

}
