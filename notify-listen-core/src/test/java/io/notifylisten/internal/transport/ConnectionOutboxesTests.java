package io.notifylisten.internal.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;

/**
 * {@link ConnectionOutboxes} and {@link BatchingWebSocketSession} behind a real
 * {@link ExecutorSubscribableChannel}, as the client outbound channel uses them.
 */
class ConnectionOutboxesTests {

	private final ExecutorService pool = Executors.newFixedThreadPool(4);

	private final TestPolicy policy = new TestPolicy();

	private final ConnectionOutboxes outboxes = new ConnectionOutboxes(this.pool, this.policy);

	private final ExecutorSubscribableChannel channel = new ExecutorSubscribableChannel(this.outboxes);

	@AfterEach
	void stopPool() {
		this.pool.shutdownNow();
	}

	@Test
	void eachConnectionGetsItsMessagesInOrderFromAPoolOfSeveralThreads() {
		Map<String, List<Integer>> received = new ConcurrentHashMap<>();
		this.channel.subscribe((message) -> {
			received.computeIfAbsent(sessionId(message), (id) -> Collections.synchronizedList(new ArrayList<>()))
				.add(Integer.valueOf(new String((byte[]) message.getPayload(), StandardCharsets.UTF_8)));
			Thread.onSpinWait();
		});
		for (int i = 0; i < 2000; i++) {
			this.channel.send(message("s" + (i % 10), String.valueOf(i)));
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> received.values().stream().mapToInt(List::size).sum() == 2000);
		received.forEach((session, numbers) -> assertThat(numbers).as(session).isSorted().hasSize(200));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.outboxes.size() == 0);
	}

	@Test
	void framesWaitingForAConnectionGoOutAsOneWebSocketMessage() throws Exception {
		RecordingSession session = new RecordingSession("s1");
		WebSocketSession batching = this.outboxes.batching(session.mock);
		CountDownLatch firstStarted = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.channel.subscribe(writingTo(batching, (frame) -> {
			if (frame.equals("F0\0")) {
				firstStarted.countDown();
				awaitLatch(release);
			}
		}));
		this.channel.send(message("s1", "F0\0"));
		awaitLatch(firstStarted);
		// Three more arrive while the first is on its way out.
		for (int i = 1; i <= 3; i++) {
			this.channel.send(message("s1", "F" + i + "\0"));
		}
		release.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> !session.written.isEmpty());
		assertThat(session.written).containsExactly("F0\0F1\0F2\0F3\0");
		this.channel.send(message("s1", "F4\0"));
		await().atMost(Duration.ofSeconds(5)).until(() -> session.written.size() == 2);
		assertThat(session.written).as("nothing waits behind it: written at once").endsWith("F4\0");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.outboxes.size() == 0);
	}

	@Test
	void framesHeldBackAreWrittenWhenTheLastWaitingMessageIsNotWritten() throws Exception {
		RecordingSession session = new RecordingSession("s1");
		WebSocketSession batching = this.outboxes.batching(session.mock);
		CountDownLatch release = blockTheConnection("s1");
		this.channel.subscribe((message) -> {
			String frame = new String((byte[]) message.getPayload(), StandardCharsets.UTF_8);
			// The delivery check drops a message this way: nothing is written for it.
			if (!frame.equals("dropped\0") && !frame.equals("block")) {
				write(batching, frame);
			}
		});
		this.channel.send(message("s1", "A\0"));
		this.channel.send(message("s1", "B\0"));
		this.channel.send(message("s1", "dropped\0"));
		release.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> !session.written.isEmpty());
		assertThat(session.written).containsExactly("A\0B\0");
	}

	@Test
	void aBatchStaysUnderTheLimitAndALongFrameGoesOutAlone() throws Exception {
		RecordingSession session = new RecordingSession("s1");
		WebSocketSession batching = this.outboxes.batching(session.mock);
		CountDownLatch release = blockTheConnection("s1");
		this.channel.subscribe(writingTo(batching, (frame) -> {
		}));
		String kilobyte = "x".repeat(1023) + "\0";
		String long1 = "L".repeat(BatchingWebSocketSession.MAX_BATCH_CHARS) + "\0";
		for (int i = 0; i < 5; i++) {
			this.channel.send(message("s1", kilobyte));
		}
		this.channel.send(message("s1", long1));
		this.channel.send(message("s1", kilobyte));
		release.countDown();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> session.written.stream().mapToInt(String::length).sum() == 6 * 1024 + long1.length());
		assertThat(session.written).containsExactly(kilobyte.repeat(4), kilobyte, long1, kilobyte);
	}

	@Test
	void quiesceWaitsForTheWriteInProgressThenLetsNothingElseThrough() throws Exception {
		List<String> handled = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch writing = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.channel.subscribe((message) -> {
			String frame = new String((byte[]) message.getPayload(), StandardCharsets.UTF_8);
			handled.add(frame);
			if (frame.equals("CONNECTED")) {
				writing.countDown();
				awaitLatch(release);
			}
		});
		this.channel.send(message("s1", "CONNECTED"));
		this.channel.send(message("s1", "queued behind it"));
		awaitLatch(writing);
		CompletableFuture<Boolean> quiesced = CompletableFuture.supplyAsync(() -> quiesce("s1", Duration.ofSeconds(5)));
		Thread.sleep(200);
		assertThat(quiesced).as("waits while CONNECTED is being written").isNotDone();
		release.countDown();
		assertThat(quiesced.get(2, TimeUnit.SECONDS)).isTrue();
		this.channel.send(message("s1", "after the ERROR"));
		Thread.sleep(200);
		assertThat(handled).as("nothing more for a connection closing with an ERROR").containsExactly("CONNECTED");
		this.outboxes.closed("s1");
		assertThat(this.outboxes.size()).isZero();
	}

	// With one writer per connection, what waits for a slow reader waits here; Spring's
	// send-buffer-size-limit would never see it.
	@Test
	void aConnectionOverItsSendBufferLimitIsCutOffAndTheOthersAreNot() throws Exception {
		List<String> overflowed = this.policy.overflowed;
		this.policy.sendBufferLimit = 3000;
		List<String> handled = Collections.synchronizedList(new ArrayList<>());
		this.channel
			.subscribe((message) -> handled.add(sessionId(message) + ":" + ((byte[]) message.getPayload()).length));
		CountDownLatch release = blockTheConnection("s1");
		String kilobyte = "x".repeat(1000);
		for (int i = 0; i < 3; i++) {
			this.channel.send(message("s1", kilobyte));
		}
		assertThat(overflowed).as("3000 bytes may wait").isEmpty();
		this.channel.send(message("s1", kilobyte));
		// The three that waited and the one that went over: the one being written is not
		// discarded.
		await().atMost(Duration.ofSeconds(5)).until(() -> overflowed.equals(List.of("s1 lost 4")));
		this.channel.send(message("s1", "after the limit"));
		this.channel.send(message("s2", kilobyte + kilobyte + kilobyte));
		release.countDown();

		await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains("s2:3000"));
		Thread.sleep(200);
		assertThat(handled).as("nothing that waited for the slow connection, nor came after")
			.containsExactly("s2:3000");
		this.outboxes.closed("s1");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.outboxes.size() == 0);
	}

	// A refused frame's ERROR and the client's own close can race: the close may come
	// first.
	@Test
	void quiescingAConnectionThatHasClosedLeavesNothingBehind() {
		Set<String> open = ConcurrentHashMap.newKeySet();
		open.add("s2");
		this.policy.open = open::contains;
		this.outboxes.closed("s1");
		assertThat(quiesce("s1", Duration.ofSeconds(1))).isTrue();
		assertThat(this.outboxes.size()).isZero();

		assertThat(quiesce("s2", Duration.ofSeconds(1))).isTrue();
		assertThat(this.outboxes.size()).as("an open one stays closing until its close").isOne();
		this.outboxes.closed("s2");
		assertThat(this.outboxes.size()).isZero();
	}

	@Test
	void quiesceGivesUpAfterItsTimeoutAndHoldsUpNoOtherConnection() throws Exception {
		CountDownLatch release = blockTheConnection("s1");
		List<String> handled = Collections.synchronizedList(new ArrayList<>());
		this.channel.subscribe((message) -> handled.add(sessionId(message)));
		long start = System.nanoTime();
		assertThat(quiesce("s1", Duration.ofMillis(300))).isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		this.channel.send(message("s2", "other"));
		await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains("s2"));
		release.countDown();
	}

	@Test
	void aConnectionThatMustWaitGivesItsThreadBackAndGetsItsMessagesInOrderOnceReady() {
		CompletableFuture<Void> s1Ready = new CompletableFuture<>();
		ExecutorService onePool = Executors.newSingleThreadExecutor();
		TestPolicy policy = new TestPolicy();
		ConnectionOutboxes oneThread = new ConnectionOutboxes(onePool, policy);
		Set<String> asked = ConcurrentHashMap.newKeySet();
		policy.readiness = (sessionId) -> {
			asked.add(sessionId);
			return sessionId.equals("s1") ? s1Ready : null;
		};
		List<String> received = new CopyOnWriteArrayList<>();
		ExecutorSubscribableChannel channel = new ExecutorSubscribableChannel(oneThread);
		channel.subscribe((message) -> received
			.add(sessionId(message) + ":" + new String((byte[]) message.getPayload(), StandardCharsets.UTF_8)));
		try {
			channel.send(message("s1", "1"));
			channel.send(message("s1", "2"));
			channel.send(message("s2", "1"));
			await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("s2:1"));
			assertThat(received).as("the only thread was not held by s1").containsExactly("s2:1");
			channel.send(message("s1", "3"));
			s1Ready.complete(null);
			await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 4);
			assertThat(received).containsExactly("s2:1", "s1:1", "s1:2", "s1:3");
			assertThat(asked).containsExactlyInAnyOrder("s1", "s2");
			await().atMost(Duration.ofSeconds(5)).until(() -> oneThread.size() == 0);
		}
		finally {
			onePool.shutdownNow();
		}
	}

	@Test
	void overTheThresholdEachChannelKeepsOnlyItsLatestMessageInTheOrderTheyWereSent() throws Exception {
		this.policy.conflationThreshold = 250;
		List<String> written = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch release = blockTheConnection("s1");
		// 100 bytes each: under the threshold nothing is replaced.
		this.outboxes.execute("s1", channelMessage("A", "a1", written));
		this.outboxes.execute("s1", channelMessage("A", "a2", written));
		assertThat(this.policy.folded).isEmpty();
		this.outboxes.execute("s1", channelMessage("B", "b1", written));
		assertThat(this.policy.foldedTotal()).as("a1, once over the threshold").isEqualTo(1);
		this.outboxes.execute("s1", channelMessage("A", "a3", written));
		this.outboxes.execute("s1", channelMessage("C", "c1", written));
		this.outboxes.execute("s1", channelMessage("B", "b2", written));
		release.countDown();

		await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 3);
		Thread.sleep(100);
		assertThat(written).containsExactly("a3 folding 2", "c1", "b2 folding 1");
		assertThat(this.policy.foldedTotal()).isEqualTo(3);
		assertThat(this.policy.overflowed).isEmpty();
	}

	@Test
	void messagesOfNoChannelAreNeverReplacedAndKeepTheirPlace() throws Exception {
		this.policy.conflationThreshold = 0;
		List<String> written = Collections.synchronizedList(new ArrayList<>());
		this.channel.subscribe((message) -> written.add(new String((byte[]) message.getPayload())));
		CountDownLatch release = blockTheConnection("s1");
		this.outboxes.execute("s1", channelMessage("A", "a1", written));
		this.channel.send(message("s1", "notice 1"));
		this.channel.send(message("s1", "notice 1"));
		this.outboxes.execute("s1", channelMessage("A", "a2", written));
		this.channel.send(message("s1", "notice 2"));
		release.countDown();

		await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 4);
		Thread.sleep(100);
		assertThat(written).containsExactly("notice 1", "notice 1", "a2 folding 1", "notice 2");
	}

	@Test
	void conflationEndsOnceTheConnectionHasCaughtUp() throws Exception {
		this.policy.conflationThreshold = 150;
		List<String> written = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch release = blockTheConnection("s1");
		this.outboxes.execute("s1", channelMessage("A", "a1", written));
		this.outboxes.execute("s1", channelMessage("A", "a2", written));
		release.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> written.equals(List.of("a2 folding 1")));

		release = blockTheConnection("s1");
		this.outboxes.execute("s1", channelMessage("A", "a3", written));
		this.outboxes.execute("s1", channelMessage("B", "b1", written));
		release.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 3);
		assertThat(written).containsExactly("a2 folding 1", "a3", "b1");
	}

	// Conflation cannot help a client that falls behind on more channels than the limit
	// holds: it is cut off as before.
	@Test
	void distinctChannelsOverTheSendBufferLimitStillCutTheConnectionOff() throws Exception {
		this.policy.conflationThreshold = 150;
		this.policy.sendBufferLimit = 450;
		List<String> written = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch release = blockTheConnection("s1");
		for (int i = 0; i < 10; i++) {
			this.outboxes.execute("s1", channelMessage("A", "a" + i, written));
		}
		assertThat(this.policy.overflowed).isEmpty();
		for (String channel : List.of("B", "C", "D")) {
			this.outboxes.execute("s1", channelMessage(channel, channel, written));
		}
		assertThat(this.policy.overflowed).isEmpty();
		this.outboxes.execute("s1", channelMessage("E", "e", written));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.policy.overflowed.equals(List.of("s1 lost 5")));
		assertThat(this.policy.foldedTotal()).isEqualTo(9);
		release.countDown();
		Thread.sleep(200);
		assertThat(written).isEmpty();
	}

	@Test
	void aTypeListenerBehindOnMoreObjectsThanTheLimitHoldsGetsItsLatestMessageWithEveryFold() throws Exception {
		this.policy.conflationThreshold = 150;
		this.policy.sendBufferLimit = 450;
		List<String> written = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch release = blockTheConnection("s1");
		for (int i = 0; i < 10; i++) {
			this.outboxes.execute("s1", subscriptionMessage("every order", "order " + i, "o" + i, written));
		}
		this.outboxes.execute("s1", channelMessage("A", "a", written));
		release.countDown();

		await().atMost(Duration.ofSeconds(5)).until(() -> written.size() == 2);
		Thread.sleep(100);
		assertThat(written).as("not cut off: the subscription's latest, then the other channel's")
			.containsExactly("o9 folding 9", "a");
		assertThat(this.policy.overflowed).isEmpty();
		assertThat(this.policy.foldedTotal()).isEqualTo(9);
	}

	@Test
	void aThresholdAtTheSendBufferLimitTurnsConflationOff() throws Exception {
		this.policy.conflationThreshold = 300;
		this.policy.sendBufferLimit = 300;
		List<String> written = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch release = blockTheConnection("s1");
		for (int i = 0; i < 4; i++) {
			this.outboxes.execute("s1", channelMessage("A", "a" + i, written));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.policy.overflowed.equals(List.of("s1 lost 4")));
		assertThat(this.policy.folded).isEmpty();
		release.countDown();
	}

	@Test
	void aFailingMessageDoesNotStopTheConnectionsNextOnes() {
		List<String> handled = Collections.synchronizedList(new ArrayList<>());
		this.channel.subscribe((message) -> {
			String frame = new String((byte[]) message.getPayload(), StandardCharsets.UTF_8);
			if (frame.equals("fails")) {
				throw new IllegalStateException("handler failed");
			}
			handled.add(frame);
		});
		IntStream.range(0, 3).forEach((i) -> this.channel.send(message("s1", (i == 1) ? "fails" : "ok" + i)));
		await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 2);
		assertThat(handled).containsExactly("ok0", "ok2");
	}

	// A channel's message of 100 bytes that records what it wrote.
	private static ConnectionOutboxes.ConflatableTask channelMessage(String channel, String name,
			List<String> written) {
		return new ConnectionOutboxes.ConflatableTask() {

			@Override
			public void run() {
				written.add(name);
			}

			@Override
			public void runFolding(int folded) {
				written.add(name + " folding " + folded);
			}

			@Override
			public Object channelKey() {
				return channel;
			}

			@Override
			public int size() {
				return 100;
			}

		};
	}

	private static ConnectionOutboxes.ConflatableTask subscriptionMessage(String subscription, String channel,
			String name, List<String> written) {
		ConnectionOutboxes.ConflatableTask message = channelMessage(subscription + "/" + channel, name, written);
		return new ConnectionOutboxes.ConflatableTask() {

			@Override
			public void run() {
				message.run();
			}

			@Override
			public void runFolding(int folded) {
				message.runFolding(folded);
			}

			@Override
			public Object channelKey() {
				return message.channelKey();
			}

			@Override
			public Object subscriptionKey() {
				return subscription;
			}

			@Override
			public int size() {
				return message.size();
			}

		};
	}

	// Holds the pool thread that empties the connection's outbox until released, so that
	// messages sent meanwhile wait in it.
	private CountDownLatch blockTheConnection(String sessionId) throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ExecutorSubscribableChannel blocker = new ExecutorSubscribableChannel(this.outboxes);
		blocker.subscribe((message) -> {
			started.countDown();
			awaitLatch(release);
		});
		blocker.send(message(sessionId, "block"));
		awaitLatch(started);
		return release;
	}

	private static org.springframework.messaging.MessageHandler writingTo(WebSocketSession session,
			Consumer<String> whileWriting) {
		return (message) -> {
			String frame = new String((byte[]) message.getPayload(), StandardCharsets.UTF_8);
			whileWriting.accept(frame);
			write(session, frame);
		};
	}

	private static void write(WebSocketSession session, String frame) {
		try {
			session.sendMessage(new TextMessage(frame.getBytes(StandardCharsets.UTF_8)));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private boolean quiesce(String sessionId, Duration timeout) {
		try {
			return this.outboxes.quiesce(sessionId, timeout);
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String sessionId(Message<?> message) {
		return SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
	}

	private static Message<byte[]> message(String sessionId, String payload) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setSessionId(sessionId);
		return MessageBuilder.createMessage(payload.getBytes(StandardCharsets.UTF_8), headers.getMessageHeaders());
	}

	/** Every connection open and ready, no limit, unless a test says otherwise. */
	private static final class TestPolicy implements ConnectionOutboxes.Policy {

		volatile long sendBufferLimit = Long.MAX_VALUE;

		volatile long conflationThreshold = Long.MAX_VALUE;

		final List<Integer> folded = new CopyOnWriteArrayList<>();

		final List<String> overflowed = new CopyOnWriteArrayList<>();

		volatile Function<String, @Nullable CompletableFuture<?>> readiness = (sessionId) -> null;

		volatile Predicate<String> open = (sessionId) -> true;

		@Override
		public long sendBufferLimit() {
			return this.sendBufferLimit;
		}

		@Override
		public long conflationThreshold() {
			return this.conflationThreshold;
		}

		@Override
		public void folded(String sessionId, int messages) {
			this.folded.add(messages);
		}

		int foldedTotal() {
			return this.folded.stream().mapToInt(Integer::intValue).sum();
		}

		@Override
		public void overflowed(String sessionId, int discardedMessages) {
			this.overflowed.add(sessionId + " lost " + discardedMessages);
		}

		@Override
		public @Nullable CompletableFuture<?> readiness(String sessionId) {
			return this.readiness.apply(sessionId);
		}

		@Override
		public boolean isOpen(String sessionId) {
			return this.open.test(sessionId);
		}

	}

	/** The container's session: records each WebSocket message written to it. */
	private static final class RecordingSession {

		final List<String> written = Collections.synchronizedList(new ArrayList<>());

		final WebSocketSession mock = mock(WebSocketSession.class);

		RecordingSession(String id) {
			given(this.mock.getId()).willReturn(id);
			given(this.mock.isOpen()).willReturn(true);
			try {
				willAnswer((invocation) -> {
					WebSocketMessage<?> message = invocation.getArgument(0);
					this.written.add(((TextMessage) message).getPayload());
					return null;
				}).given(this.mock).sendMessage(any());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
