package io.notifylisten.security;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.notifylisten.MutableClock;
import org.junit.jupiter.api.Test;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;

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

	private static TestingAuthenticationToken user(String name) {
		return new TestingAuthenticationToken(name, null, "ROLE_NOTIFY_LISTEN_USER");
	}


}
