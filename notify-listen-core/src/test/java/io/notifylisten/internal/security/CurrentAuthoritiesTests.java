package io.notifylisten.internal.security;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class CurrentAuthoritiesTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));

	private final AtomicInteger loads = new AtomicInteger();

	private final AtomicBoolean revoked = new AtomicBoolean();

	private final UserDetailsService users = (username) -> {
		this.loads.incrementAndGet();
		if (username.equals("gone")) {
			throw new UsernameNotFoundException(username);
		}
		if (this.revoked.get()) {
			return User.withUsername(username).password("x").authorities(new String[0]).build();
		}
		return User.withUsername(username).password("x").roles("NOTIFY_LISTEN_USER").build();
	};

	private final CurrentAuthorities authorities = new CurrentAuthorities(this.users, Duration.ofSeconds(5),
			this.clock);

	/** Reloads handed to the executor of {@link #background}, run when a test says. */
	private final Queue<Runnable> reloads = new ArrayDeque<>();

	private final CurrentAuthorities background = new CurrentAuthorities(this.users, Duration.ofSeconds(5), this.clock,
			this.reloads::add);

	@Test
	void reloadsAUserAtMostOncePerMaxAge() {
		assertThat(AuthorityUtils.authorityListToSet(this.authorities.asNow(user("alice")).getAuthorities()))
			.containsExactly("ROLE_NOTIFY_LISTEN_USER");
		this.authorities.asNow(user("alice"));
		this.clock.advance(Duration.ofSeconds(4));
		this.authorities.asNow(user("alice"));
		assertThat(this.loads).hasValue(1);
		this.clock.advance(Duration.ofSeconds(1));
		this.authorities.asNow(user("alice"));
		assertThat(this.loads).hasValue(2);
	}

	@Test
	void aUserWhoIsGoneHasNoAuthorities() {
		assertThat(this.authorities.asNow(user("gone")).getAuthorities()).isEmpty();
	}

	@Test
	void forgetsUsersWhoStoppedListening() {
		for (int i = 0; i < 100; i++) {
			this.authorities.asNow(user("user-" + i));
		}
		assertThat(this.authorities.size()).isEqualTo(100);
		this.clock.advance(Duration.ofSeconds(6));
		this.authorities.asNow(user("alice"));
		assertThat(this.authorities.size()).as("only the user who is still listening").isOne();
	}

	@Test
	void theUserAsNowKeepsPrincipalAndDetailsAndFollowsTheAuthorities() {
		this.revoked.set(false);
		TestingAuthenticationToken alice = user("alice");
		alice.setDetails("session 1");
		Authentication now = this.authorities.asNow(alice);
		assertThat(now.getPrincipal()).isEqualTo("alice");
		assertThat(now.getDetails()).isEqualTo("session 1");
		assertThat(AuthorityUtils.authorityListToSet(now.getAuthorities())).containsExactly("ROLE_NOTIFY_LISTEN_USER");
		TestingAuthenticationToken aliceElsewhere = user("alice");
		aliceElsewhere.setDetails("session 2");
		assertThat(this.authorities.asNow(aliceElsewhere).getDetails()).as("each connection's own details")
			.isEqualTo("session 2");
		this.revoked.set(true);
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.authorities.asNow(alice).getAuthorities()).as("role revoked, seen after max age").isEmpty();
	}

	@Test
	void withAnExecutorStaleAuthoritiesAnswerWhileTheyAreReloadedThere() {
		TestingAuthenticationToken alice = user("alice");
		assertThat(this.background.asNow(alice).getAuthorities()).as("first load, on the caller").isNotEmpty();
		assertThat(this.loads).hasValue(1);
		this.revoked.set(true);
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.background.asNow(alice).getAuthorities()).as("stale, while the reload waits").isNotEmpty();
		this.background.asNow(alice);
		assertThat(this.loads).as("not on the caller").hasValue(1);
		assertThat(this.reloads).as("one reload per user at a time").hasSize(1);
		this.reloads.poll().run();
		assertThat(this.loads).hasValue(2);
		assertThat(this.background.asNow(alice).getAuthorities()).as("role revoked, seen once reloaded").isEmpty();
		assertThat(this.reloads).isEmpty();
	}

	@Test
	void withAnExecutorAReloadOverdueByAnotherMaxAgeIsTheCallersAgain() {
		this.background.asNow(user("alice"));
		this.revoked.set(true);
		this.clock.advance(Duration.ofSeconds(7));
		assertThat(this.background.asNow(user("alice")).getAuthorities()).isNotEmpty();
		this.clock.advance(Duration.ofSeconds(3));
		assertThat(this.background.asNow(user("alice")).getAuthorities())
			.as("the reload never ran: past twice the max age the caller reloads")
			.isEmpty();
		assertThat(this.loads).hasValue(2);
		this.reloads.poll().run();
		assertThat(this.background.asNow(user("alice")).getAuthorities()).as("a late reload changes nothing").isEmpty();
		assertThat(this.loads).hasValue(3);
	}

	@Test
	void withAnExecutorAFailedReloadFailsClosedOnceOverdue() {
		AtomicBoolean down = new AtomicBoolean();
		UserDetailsService flaky = (username) -> {
			if (down.get()) {
				throw new IllegalStateException("user store down");
			}
			return this.users.loadUserByUsername(username);
		};
		CurrentAuthorities authorities = new CurrentAuthorities(flaky, Duration.ofSeconds(5), this.clock,
				this.reloads::add);
		authorities.asNow(user("alice"));
		down.set(true);
		this.clock.advance(Duration.ofSeconds(6));
		authorities.asNow(user("alice"));
		this.reloads.poll().run();
		assertThat(authorities.asNow(user("alice")).getAuthorities()).as("within the grace").isNotEmpty();
		assertThat(this.reloads).as("tried again").hasSize(1);
		this.clock.advance(Duration.ofSeconds(4));
		assertThatIllegalStateException().isThrownBy(() -> authorities.asNow(user("alice")))
			.withMessage("user store down");
	}

	@Test
	void withAnExecutorThatRefusesTheCallerReloadsOnceOverdue() {
		CurrentAuthorities authorities = new CurrentAuthorities(this.users, Duration.ofSeconds(5), this.clock,
				(task) -> {
					throw new RejectedExecutionException("shutting down");
				});
		authorities.asNow(user("alice"));
		this.revoked.set(true);
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(authorities.asNow(user("alice")).getAuthorities()).isNotEmpty();
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(authorities.asNow(user("alice")).getAuthorities()).isEmpty();
	}

	@Test
	void withAnExecutorAZeroMaxAgeStillReloadsForEveryCall() {
		CurrentAuthorities authorities = new CurrentAuthorities(this.users, Duration.ZERO, this.clock,
				this.reloads::add);
		authorities.asNow(user("alice"));
		this.revoked.set(true);
		assertThat(authorities.asNow(user("alice")).getAuthorities()).isEmpty();
		assertThat(this.reloads).isEmpty();
	}

	@Test
	void withAnExecutorForgetsUsersWhoStoppedListeningWhenReloading() {
		for (int i = 0; i < 100; i++) {
			this.background.asNow(user("user-" + i));
		}
		this.background.asNow(user("alice"));
		this.clock.advance(Duration.ofSeconds(6));
		this.background.asNow(user("alice"));
		this.clock.advance(Duration.ofSeconds(4));
		this.reloads.poll().run();
		assertThat(this.background.size()).as("only the user who is still listening").isOne();
	}

	@Test
	void whenCurrentIsAtOnceForFreshOrStaleAuthoritiesAndAfterALoadForMissingOrOverdueOnes() {
		TestingAuthenticationToken alice = user("alice");
		CompletableFuture<Void> first = this.background.whenCurrent(alice);
		assertThat(first).as("never loaded: wait").isNotNull().isNotDone();
		assertThat(this.background.whenCurrent(alice)).isNotDone();
		assertThat(this.reloads).as("one load for both").hasSize(1);
		assertThat(this.loads).as("not on the caller").hasValue(0);
		this.reloads.poll().run();
		assertThat(first).isDone();
		assertThat(this.background.whenCurrent(alice)).as("fresh").isNull();
		this.background.asNow(alice);
		assertThat(this.loads).as("asNow found them loaded").hasValue(1);

		this.clock.advance(Duration.ofSeconds(6));
		assertThat(this.background.whenCurrent(alice)).as("stale within the grace: at once").isNull();
		assertThat(this.reloads).as("and reloaded meanwhile").hasSize(1);
		this.reloads.clear();
		this.clock.advance(Duration.ofSeconds(4));
		assertThat(this.background.whenCurrent(alice)).as("overdue: wait for the load under way").isNotNull();
	}

	@Test
	void answersUntilTheEndOfTheGraceOfTheLoadedAuthorities() {
		assertThat(this.background.answersUntil(user("alice"))).as("nothing loaded").isZero();
		long loadedAt = this.clock.millis();
		this.background.asNow(user("alice"));
		assertThat(this.background.answersUntil(user("alice"))).isEqualTo(loadedAt + 10_000);
		this.authorities.asNow(user("alice"));
		assertThat(this.authorities.answersUntil(user("alice"))).as("the caller loads: never known").isZero();
	}

	@Test
	void aLoadThatNeverEndsHoldsNobodyForGood() {
		CurrentAuthorities quick = new CurrentAuthorities(this.users, Duration.ofMillis(200), this.clock,
				this.reloads::add);
		CompletableFuture<Void> wait = quick.whenCurrent(user("alice"));
		this.reloads.clear();
		assertThat(wait).as("given up after max age, in real time").succeedsWithin(Duration.ofSeconds(2));
		this.clock.advance(Duration.ofMillis(150));
		quick.whenCurrent(user("alice"));
		assertThat(this.reloads).as("the lost load still counts within the grace").isEmpty();
		this.clock.advance(Duration.ofMillis(100));
		quick.whenCurrent(user("alice"));
		assertThat(this.reloads).as("past it, a new load").hasSize(1);
	}

	@Test
	void whenCurrentIsAlwaysAtOnceWhereTheCallerLoads() {
		assertThat(this.authorities.whenCurrent(user("alice"))).isNull();
		assertThat(new CurrentAuthorities(this.users, Duration.ZERO, this.clock, this.reloads::add)
			.whenCurrent(user("alice"))).isNull();
		assertThat(this.reloads).isEmpty();
	}

	private static TestingAuthenticationToken user(String name) {
		return new TestingAuthenticationToken(name, null, "ROLE_NOTIFY_LISTEN_USER");
	}

}
