package io.notifylisten.internal.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * {@link OutgoingHeartbeats} over {@link BatchingWebSocketSession}s and their outboxes,
 * with the checks run by hand.
 */
class OutgoingHeartbeatsTests {

	private static final Duration OFFERED = Duration.ofMillis(80);

	/**
	 * What a client asks for: no heart-beats from it, one from the server every 80 ms.
	 */
	private static final long[] CLIENT_HEARTBEAT = { 0, OFFERED.toMillis() };

	private final ExecutorService pool = Executors.newFixedThreadPool(2);

	private final ConnectionOutboxes outboxes = new ConnectionOutboxes(this.pool, new OpenPolicy());

	private final Map<String, WebSocketSession> sessions = new ConcurrentHashMap<>();

	private final OutgoingHeartbeats heartbeats = new OutgoingHeartbeats(OFFERED, this.sessions.values(),
			this.outboxes);

	@AfterEach
	void stopPool() {
		this.pool.shutdownNow();
	}

	@Test
	void aQuietConnectionGetsHeartbeatsAndOneWrittenToOftenEnoughGetsNone() throws Exception {
		RecordingSession quiet = connect("quiet", null);
		RecordingSession busy = connect("busy", null);
		// Counted in checks rather than time: the first calls to a spy may be slow.
		for (int check = 0; check < 5 * 8; check++) {
			busy.batching.sendText("MESSAGE\n\n\0");
			this.heartbeats.run();
			Thread.sleep(OFFERED.toMillis() / 8);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.outboxes.size() == 0);
		// A heart-beat that waited behind the one being written leaves in the same write:
		// count them, not writes.
		assertThat(String.join("", quiet.written)).as("heart-beats over five intervals").matches("\n{4,}");
		assertThat(busy.written).as("written to every eighth interval").doesNotContain("\n");
	}

	// Each check would otherwise queue one more behind the write that blocks, until the
	// send buffer limit.
	@Test
	void aClientThatStopsReadingHasOneHeartbeatWaitingRatherThanOnePerCheck() throws Exception {
		CountDownLatch reading = new CountDownLatch(1);
		RecordingSession stalled = connect("stalled", reading);
		for (int check = 0; check < 20; check++) {
			Thread.sleep(OFFERED.toMillis() / 8);
			this.heartbeats.run();
		}
		assertThat(stalled.attempts).as("writes begun").containsExactly("\n");
		reading.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.outboxes.size() == 0);
		// The one that was being written and the one that waited behind it, which found
		// it written.
		verify(stalled.batching, times(2)).sendHeartbeat();
		assertThat(stalled.written).containsExactly("\n");
	}

	private RecordingSession connect(String id, @Nullable CountDownLatch reading) {
		RecordingSession session = new RecordingSession(id, reading, this.outboxes);
		this.sessions.put(id, session.batching);
		this.heartbeats.agree(session.batching, CLIENT_HEARTBEAT);
		return session;
	}

	/** Every connection open and ready, no limit. */
	private static final class OpenPolicy implements ConnectionOutboxes.Policy {

		@Override
		public long sendBufferLimit() {
			return Long.MAX_VALUE;
		}

		@Override
		public void overflowed(String sessionId, int discardedMessages) {
		}

		@Override
		public @Nullable CompletableFuture<?> readiness(String sessionId) {
			return null;
		}

		@Override
		public boolean isOpen(String sessionId) {
			return true;
		}

	}

	/**
	 * The container's session: records each message written, and blocks while the client
	 * does not read.
	 */
	private static final class RecordingSession {

		final List<String> attempts = Collections.synchronizedList(new ArrayList<>());

		final List<String> written = Collections.synchronizedList(new ArrayList<>());

		final BatchingWebSocketSession batching;

		RecordingSession(String id, @Nullable CountDownLatch reading, ConnectionOutboxes outboxes) {
			WebSocketSession container = mock(WebSocketSession.class);
			given(container.getId()).willReturn(id);
			given(container.isOpen()).willReturn(true);
			try {
				willAnswer((invocation) -> {
					WebSocketMessage<?> message = invocation.getArgument(0);
					String text = ((TextMessage) message).getPayload();
					this.attempts.add(text);
					if (reading != null) {
						reading.await();
					}
					this.written.add(text);
					return null;
				}).given(container).sendMessage(any());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			// A spy, to count the heart-beats that went through the outbox.
			this.batching = spy(new BatchingWebSocketSession(container, outboxes));
		}

	}

}
