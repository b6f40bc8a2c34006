package io.notifylisten.internal.security;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ListenAuthorizerTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));

	/** Now: alice listens and has become a manager since she logged in. */
	private final UserDetailsService users = (username) -> User.withUsername(username)
		.password("x")
		.authorities("NOTIFY_LISTEN_USER", "ROLE_MANAGER")
		.build();

	private final List<Authentication> seenByPolicy = new CopyOnWriteArrayList<>();

	private final ListenAuthorizer authorizer = new ListenAuthorizer("NOTIFY_LISTEN_USER", (user, entity, id) -> {
		this.seenByPolicy.add(user);
		return AuthorityUtils.authorityListToSet(user.getAuthorities()).contains("ROLE_MANAGER");
	}, new CurrentAuthorities(this.users, Duration.ofSeconds(5), this.clock));

	@Test
	void theEntityPolicySeesTheCurrentAuthoritiesAtSubscribeAsOnDelivery() {
		TestingAuthenticationToken atLogin = new TestingAuthenticationToken("alice", null, "NOTIFY_LISTEN_USER");
		ChannelName channel = ChannelName.parse("Report/1/ready");
		this.authorizer.check(atLogin, channel);
		assertThat(this.authorizer.canDeliver(atLogin, channel)).isTrue();
		assertThat(this.seenByPolicy).hasSize(2)
			.allSatisfy((user) -> assertThat(AuthorityUtils.authorityListToSet(user.getAuthorities()))
				.contains("ROLE_MANAGER"));
	}

	@Test
	void aRoleTheStoreNoLongerGrantsIsRefusedAtSubscribe() {
		ListenAuthorizer withoutRole = new ListenAuthorizer("NOTIFY_LISTEN_USER", (user, entity, id) -> true,
				new CurrentAuthorities(
						(username) -> User.withUsername(username).password("x").authorities("OTHER").build(),
						Duration.ofSeconds(5), this.clock));
		TestingAuthenticationToken atLogin = new TestingAuthenticationToken("alice", null, "NOTIFY_LISTEN_USER");
		atLogin.setAuthenticated(true);
		assertThatExceptionOfType(ListenDeniedException.class)
			.isThrownBy(() -> withoutRole.check(atLogin, ChannelName.parse("Report/1/ready")))
			.withMessage("Listen role required");
	}

	@Test
	void aConnectionKeepsItsUsersAnswerOnlyUntilTheAuthoritiesAreDueAndThenSeesARevokedRole() {
		AtomicBoolean listens = new AtomicBoolean(true);
		AtomicInteger loads = new AtomicInteger();
		UserDetailsService store = (username) -> {
			loads.incrementAndGet();
			return User.withUsername(username)
				.password("x")
				.authorities(listens.get() ? "NOTIFY_LISTEN_USER" : "OTHER")
				.build();
		};
		// Reloads run at once on the calling thread, so that each step sees their result.
		ListenAuthorizer authorizer = new ListenAuthorizer("NOTIFY_LISTEN_USER", (user, entity, id) -> true,
				new CurrentAuthorities(store, Duration.ofSeconds(5), this.clock, Runnable::run));
		ListenerConnection connection = aliceConnected();
		ChannelName channel = ChannelName.parse("Report/1/ready");

		assertThat(authorizer.canDeliver(connection, channel)).isTrue();
		listens.set(false);
		this.clock.advance(Duration.ofMillis(4999));
		assertThat(authorizer.canDeliver(connection, channel)).as("within the interval, as loaded").isTrue();
		assertThat(loads).hasValue(1);

		this.clock.advance(Duration.ofMillis(1));
		// Due: the stale authorities answer once more while they are reloaded, then the
		// new ones do.
		assertThat(authorizer.canDeliver(connection, channel)).isTrue();
		assertThat(authorizer.canDeliver(connection, channel)).as("after the reload").isFalse();
		assertThat(loads).hasValue(2);
		assertThat(authorizer.canDeliver(connection.user(), channel)).as("as without the connection").isFalse();
	}

	@Test
	void deliveriesWithinTheIntervalTakeTheConnectionsAnswerWithoutAskingTheAuthorities() {
		AtomicInteger asked = new AtomicInteger();
		CurrentAuthorities counted = new CurrentAuthorities(this.users, Duration.ofSeconds(5), this.clock,
				Runnable::run) {
			@Override
			public Answer answer(Authentication user) {
				asked.incrementAndGet();
				return super.answer(user);
			}
		};
		ListenAuthorizer authorizer = new ListenAuthorizer("NOTIFY_LISTEN_USER", (user, entity, id) -> true, counted);
		ListenerConnection connection = aliceConnected();
		ChannelName channel = ChannelName.parse("Report/1/ready");

		for (int i = 0; i < 3; i++) {
			assertThat(authorizer.canDeliver(connection, channel)).isTrue();
			this.clock.advance(Duration.ofSeconds(1));
		}
		assertThat(asked).as("one look-up for three deliveries within the interval").hasValue(1);
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(authorizer.canDeliver(connection, channel)).isTrue();
		assertThat(asked).as("due again after the interval").hasValue(2);
	}

	// Alice as she logged in, with the listen role, on a registered connection.
	private static ListenerConnection aliceConnected() {
		TestingAuthenticationToken atLogin = new TestingAuthenticationToken("alice", null, "NOTIFY_LISTEN_USER");
		atLogin.setAuthenticated(true);
		return new ConnectionRegistry().register("s1", atLogin, null, 1);
	}

}
