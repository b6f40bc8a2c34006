package io.notifylisten.internal.history;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.history.ChannelHistory.Recovery;
import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ChannelHistoryTests {

	private static final ChannelName ORDER_1 = ChannelName.parse("Order/1/refresh");

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

	private static final String EPOCH = "e1";

	private final List<NotifyMessage> sent = new ArrayList<>();

	private final AtomicLong offsets = new AtomicLong();

	@Test
	void numbersMessagesWithTheirLogOffsetInTheHistorysEpoch() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		append(history, ORDER_1, 3);
		append(history, ChannelName.parse("Order/2/refresh"), 1);

		assertThat(this.sent).extracting(NotifyMessage::sequence).containsExactly(1L, 2L, 3L, 4L);
		assertThat(this.sent).extracting(NotifyMessage::epoch).containsOnly(EPOCH);
	}

	@Test
	void recoversAChannelWhoseOffsetsHaveGaps() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		append(history, ORDER_1, 1);
		append(history, ChannelName.parse("Order/2/refresh"), 2);
		append(history, ORDER_1, 1);

		Recovery recovery = recover(history, ORDER_1, EPOCH, 1);
		assertThat(recovery.recovered()).isTrue();
		assertThat(recovery.messages()).extracting(NotifyMessage::sequence).containsExactly(4L);
		assertThat(recover(history, ORDER_1, EPOCH, 3).messages()).extracting(NotifyMessage::sequence)
			.as("the client saw offset 3 elsewhere; offset 4 is still news")
			.containsExactly(4L);
	}

	@Test
	void tellsAChannelWithoutMessagesSinceTheClientsOffsetThatNothingWasMissed() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		append(history, ORDER_1, 3);

		Recovery recovery = recover(history, ChannelName.parse("Order/9/refresh"), EPOCH, 2);
		assertThat(recovery.recovered()).isTrue();
		assertThat(recovery.messages()).isEmpty();
	}

	@Test
	void cannotRecoverFromBeforeTheFirstOffsetItRead() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		this.offsets.set(100);
		append(history, ORDER_1, 2);

		assertThat(recover(history, ORDER_1, EPOCH, 100).recovered()).as("101 and 102 were read").isTrue();
		assertThat(recover(history, ORDER_1, EPOCH, 50).recovered()).as("51 to 100 were never read").isFalse();
		assertThat(recover(history, ChannelName.parse("Order/9/refresh"), EPOCH, 50).recovered()).isFalse();
	}

	@Test
	void recoversWhatWasMissedSinceTheLastReceivedSequence() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		append(history, ORDER_1, 5);

		Recovery recovery = recover(history, ORDER_1, history.epoch(), 2);
		assertThat(recovery.recovered()).isTrue();
		assertThat(recovery.messages()).extracting(NotifyMessage::sequence).containsExactly(3L, 4L, 5L);
		assertThat(recover(history, ORDER_1, history.epoch(), 5).messages()).isEmpty();
		assertThat(recover(history, ORDER_1, history.epoch(), 5).recovered()).isTrue();
	}

	@Test
	void cannotRecoverAcrossAnotherEpochOrPastWhatWasKept() {
		ChannelHistory history = new ChannelHistory(EPOCH, 3, Duration.ofMinutes(1), 100, this.clock);
		append(history, ORDER_1, 6);

		assertThat(recover(history, ORDER_1, "an-old-epoch", 5).recovered()).isFalse();
		assertThat(recover(history, ORDER_1, history.epoch(), 2).recovered()).as("4, 5, 6 kept; 3 is gone").isFalse();
		assertThat(recover(history, ORDER_1, history.epoch(), 3).recovered()).isTrue();
		assertThat(recover(history, ORDER_1, history.epoch(), 7).recovered()).as("from the future").isFalse();
	}

	@Test
	void aRecoveryWaitsUntilTheHistoryHasCaughtUpWithTheLog() throws Exception {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		history.startCatchingUp();
		append(history, ORDER_1, 1);
		CompletableFuture<Recovery> recovery = CompletableFuture.supplyAsync(() -> recover(history, ORDER_1, EPOCH, 1));
		Thread.sleep(200);
		assertThat(recovery).as("still reading the log").isNotDone();

		append(history, ORDER_1, 1);
		history.caughtUp();
		assertThat(recovery.get(5, TimeUnit.SECONDS).messages()).extracting(NotifyMessage::sequence)
			.containsExactly(2L);
	}

	@Test
	void forgetsMessagesOlderThanTheTtl() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofSeconds(30), 100, this.clock);
		append(history, ORDER_1, 2);
		this.clock.advance(Duration.ofSeconds(31));
		append(history, ORDER_1, 1);

		assertThat(recover(history, ORDER_1, history.epoch(), 0).recovered()).isFalse();
		assertThat(recover(history, ORDER_1, history.epoch(), 2).messages()).extracting(NotifyMessage::sequence)
			.containsExactly(3L);
	}

	@Test
	void forgetsTheLeastRecentlyNotifiedChannelsBeyondTheLimit() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 2, this.clock);
		append(history, ORDER_1, 1);
		append(history, ChannelName.parse("Order/2/refresh"), 1);
		append(history, ChannelName.parse("Order/3/refresh"), 1);

		assertThat(recover(history, ORDER_1, history.epoch(), 0).recovered()).isFalse();
		assertThat(recover(history, ChannelName.parse("Order/3/refresh"), history.epoch(), 0).recovered()).isTrue();
	}

	@Test
	void forgetsAMessageWhoseSendFailed() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		append(history, ORDER_1, 1);
		assertThatIllegalStateException().isThrownBy(() -> history.append(ORDER_1, message(),
				this.offsets::incrementAndGet, this.clock.instant(), (numbered) -> {
					throw new IllegalStateException("broker down");
				}));
		append(history, ORDER_1, 1);

		assertThat(this.sent).extracting(NotifyMessage::sequence).containsExactly(1L, 3L);
		assertThat(recover(history, ORDER_1, history.epoch(), 0).messages()).hasSize(2);
	}

	@Test
	void aPositionTakenBeforeTheFirstNotificationRecoversEverythingNotifiedSince() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		history.readFrom(1);
		ListenPosition position = history.position();
		append(history, ORDER_1, 2);

		assertThat(position).isEqualTo(new ListenPosition(EPOCH, 0));
		Recovery recovery = recover(history, ORDER_1, position.epoch(), position.sequence());
		assertThat(recovery.recovered()).isTrue();
		assertThat(recovery.messages()).extracting(NotifyMessage::sequence).containsExactly(1L, 2L);
	}

	@Test
	void aPositionRecoversWhatWasNotifiedAfterItAndNothingBefore() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		history.readFrom(1);
		append(history, ORDER_1, 2);
		ListenPosition position = history.position();
		append(history, ChannelName.parse("Order/2/refresh"), 1);
		append(history, ORDER_1, 1);

		assertThat(position.sequence()).isEqualTo(2);
		assertThat(recover(history, ORDER_1, EPOCH, position.sequence()).messages()).extracting(NotifyMessage::sequence)
			.containsExactly(4L);
		Recovery quiet = recover(history, ChannelName.parse("Order/9/refresh"), EPOCH, position.sequence());
		assertThat(quiet.recovered()).as("nothing was notified on it since").isTrue();
		assertThat(quiet.messages()).isEmpty();
	}

	@Test
	void aPositionOnASharedLogCoversRecordsThatAreNotChannelMessages() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		history.startCatchingUp();
		history.read(7);
		history.caughtUp();
		ListenPosition position = history.position();
		this.offsets.set(8);
		append(history, ORDER_1, 1);

		assertThat(position.sequence()).as("a marker, a notice or a presence record was read last").isEqualTo(7);
		assertThat(recover(history, ORDER_1, EPOCH, position.sequence()).messages()).extracting(NotifyMessage::sequence)
			.containsExactly(9L);
	}

	@Test
	void onASharedLogARecoveryFromAPositionAheadWaitsUntilThisNodeHasReadThatFar() throws Exception {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		history.startCatchingUp();
		history.caughtUp();
		this.offsets.set(10);
		append(history, ORDER_1, 1);
		CompletableFuture<Recovery> recovery = CompletableFuture
			.supplyAsync(() -> recover(history, ORDER_1, EPOCH, 12));
		Thread.sleep(200);
		assertThat(recovery).as("another node gave offset 12; this one has read 11").isNotDone();

		append(history, ORDER_1, 1);
		Recovery answer = recovery.get(5, TimeUnit.SECONDS);
		assertThat(answer.recovered()).as("read as far as 12: what follows is delivered live").isTrue();
		assertThat(answer.messages()).isEmpty();
	}

	@Test
	void onASharedLogAPositionThatThisNodeNeverReachesIsToldToReload() {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		history.startCatchingUp();
		history.caughtUp();
		append(history, ORDER_1, 1);

		long started = System.nanoTime();
		assertThat(recover(history, ORDER_1, EPOCH, 1000).recovered()).as("the stream began anew").isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void onASharedLogAtMostTwoRecoveriesWaitForThisNodeAndTheNextIsToldToReloadAtOnce() throws Exception {
		ChannelHistory history = new ChannelHistory(EPOCH, 10, Duration.ofMinutes(1), 100, this.clock);
		history.startCatchingUp();
		history.caughtUp();
		append(history, ORDER_1, 1);
		List<CompletableFuture<Recovery>> waiting = List.of(
				CompletableFuture.supplyAsync(() -> recover(history, ORDER_1, EPOCH, 1000)),
				CompletableFuture.supplyAsync(() -> recover(history, ORDER_1, EPOCH, 1000)));
		Thread.sleep(200);

		long started = System.nanoTime();
		assertThat(recover(history, ORDER_1, EPOCH, 1000).recovered()).isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
		assertThat(waiting).allSatisfy((recovery) -> assertThat(recovery).isNotDone());
		for (CompletableFuture<Recovery> recovery : waiting) {
			assertThat(recovery.get(5, TimeUnit.SECONDS).recovered()).isFalse();
		}
	}

	private void append(ChannelHistory history, ChannelName channel, int count) {
		for (int i = 0; i < count; i++) {
			history.append(channel, message(), this.offsets::incrementAndGet, this.clock.instant(), this.sent::add);
		}
	}

	private static Recovery recover(ChannelHistory history, ChannelName channel, String epoch, long last) {
		AtomicReference<Recovery> recovery = new AtomicReference<>();
		history.recover(channel, epoch, last, recovery::set);
		return recovery.get();
	}

	private NotifyMessage message() {
		return new NotifyMessage("Order", "1", "refresh", this.clock.instant(), "system", Map.of());
	}

}
