package io.notifylisten.internal.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.security.BearerTokenAuthenticator.VerifiedToken;
import io.notifylisten.internal.transport.OutboundTransport;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.MessageChannel;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * When a connection on a bearer token ends: at its token's expiry by the clock, unless a
 * fresh token came first.
 */
class BearerTokenConnectionsTests {

	private static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");

	private final ConnectionRegistry connections = new ConnectionRegistry();

	private final OutboundTransport transport = mock(OutboundTransport.class);

	private final TaskScheduler scheduler = mock(TaskScheduler.class);

	@SuppressWarnings("unchecked")
	private final BearerTokenConnections tokens = new BearerTokenConnections((token) -> {
		throw new ListenDeniedException(BearerTokenAuthenticator.INVALID_TOKEN);
	}, this.connections, this.transport, mock(ObjectProvider.class), this.scheduler,
			new RefusalLog(Duration.ofMinutes(5), null), Clock.fixed(NOW, ZoneOffset.UTC));

	private final ListenerConnection alice = this.connections.register("s-alice",
			new TestingAuthenticationToken("alice", "n/a", "NOTIFY_LISTEN_USER"), null, 10);

	@Test
	void endsTheConnectionAtItsTokensExpiry() {
		this.tokens.connected(this.alice, new VerifiedToken(this.alice.user(), NOW));
		verify(this.scheduler).schedule(any(Runnable.class), eq(NOW));

		this.tokens.closeIfExpired("s-alice", NOW);

		verify(this.transport).close("s-alice", BearerTokenAuthenticator.TOKEN_EXPIRED);
	}

	@Test
	void keepsAConnectionThatGotAFreshTokenFirst() {
		this.tokens.connected(this.alice, new VerifiedToken(this.alice.user(), NOW));
		this.alice.authenticatedByToken(this.alice.user(), NOW.plusSeconds(60));

		this.tokens.closeIfExpired("s-alice", NOW);

		verify(this.transport, never()).close(anyString(), anyString());
	}

	@Test
	void waitsWhereTheSchedulerRanAheadOfTheClock() {
		Instant expiresAt = NOW.plusMillis(5);
		this.tokens.connected(this.alice, new VerifiedToken(this.alice.user(), expiresAt));

		this.tokens.closeIfExpired("s-alice", expiresAt);

		verify(this.transport, never()).close(anyString(), anyString());
		verify(this.scheduler, times(2)).schedule(any(Runnable.class), eq(expiresAt));
	}

	@Test
	void leavesAConnectionWithoutAnExpiryAlone() {
		this.tokens.connected(this.alice, new VerifiedToken(this.alice.user(), null));

		verify(this.scheduler, never()).schedule(any(Runnable.class), any(Instant.class));
	}

}
