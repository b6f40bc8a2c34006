package io.notifylisten.internal.log;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.notifylisten.internal.log.StreamOutbox.Pending;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class StreamOutboxTests {

	private static final String NODE = "node-1";

	private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));

	@Test
	void refusesBeyondItsSizeNamingTheProperty() {
		StreamOutbox outbox = new StreamOutbox(2, Duration.ofMinutes(10), 10, this.clock);
		outbox.add(notification(1));
		outbox.add(notification(2));

		assertThatExceptionOfType(NotificationFailedException.class).isThrownBy(() -> outbox.add(notification(3)))
			.withMessageStartingWith("Notification Order/3/refresh was not sent: ")
			.withMessageContaining("notify-listen.stream.outbox.max-size");
		assertThat(outbox.isFull()).isTrue();
		assertThat(outbox.size()).isEqualTo(2);
	}

	@Test
	void refusesOnceTheOldestHasWaitedLongerThanItsAge() {
		StreamOutbox outbox = new StreamOutbox(100, Duration.ofMinutes(10), 10, this.clock);
		outbox.add(notification(1));
		this.clock.advance(Duration.ofMinutes(9));
		outbox.add(notification(2));
		this.clock.advance(Duration.ofMinutes(2));

		assertThatExceptionOfType(NotificationFailedException.class).isThrownBy(() -> outbox.add(notification(3)))
			.withMessageContaining("notify-listen.stream.outbox.max-age");
		assertThat(outbox.isFull()).isTrue();
	}

	@Test
	void letsOnlyTheConfirmedHeadLeaveSoThatTheRestIsPublishedAgainInOrder() throws InterruptedException {
		StreamOutbox outbox = new StreamOutbox(100, Duration.ofMinutes(10), 10, this.clock);
		Pending first = outbox.add(notification(1));
		Pending second = outbox.add(notification(2));
		Pending third = outbox.add(notification(3));
		first.confirmed();
		third.confirmed();

		assertThat(outbox.removeConfirmedHead()).isEqualTo(1);
		assertThat(outbox.head(10, Duration.ZERO)).containsExactly(second, third);
		second.confirmed();
		assertThat(outbox.removeConfirmedHead()).isEqualTo(2);
		assertThat(outbox.size()).isZero();
	}

	@Test
	void givesEachNotificationAnIdOfItsOwnForReadersToDropASecondCopy() {
		StreamOutbox outbox = new StreamOutbox(100, Duration.ofMinutes(10), 10, this.clock);
		List<String> ids = List.of(outbox.add(notification(1)).id(), outbox.add(notification(1)).id());

		assertThat(ids).doesNotHaveDuplicates();
	}

	@Test
	void refusesOnceClosedAndKeepsWhatItHolds() {
		StreamOutbox outbox = new StreamOutbox(100, Duration.ofMinutes(10), 10, this.clock);
		outbox.add(notification(1));
		outbox.close();

		assertThatExceptionOfType(NotificationFailedException.class).isThrownBy(() -> outbox.add(notification(2)))
			.withMessageContaining("shutting down");
		assertThat(outbox.size()).isEqualTo(1);
		assertThat(outbox.isFull()).as("not refusing for lack of room").isFalse();
	}

	@Test
	void presenceChurnDuringAnOutageLeavesNotificationsTheirRoom() {
		StreamOutbox outbox = new StreamOutbox(2, Duration.ofMinutes(10), 3, this.clock);
		for (int change = 1; change <= 3; change++) {
			outbox.addPresence(presence("CHANGE", change), NODE, false);
		}

		assertThatExceptionOfType(NotificationFailedException.class)
			.isThrownBy(() -> outbox.addPresence(presence("CHANGE", 4), NODE, false))
			.withMessageContaining("next snapshot replaces them");
		outbox.add(notification(1));
		outbox.add(notification(2));
		assertThat(outbox.size()).as("notifications waiting, presence aside").isEqualTo(2);
		this.clock.advance(Duration.ofMinutes(11));
		assertThat(outbox.presenceSize()).isEqualTo(3);
		assertThatExceptionOfType(NotificationFailedException.class).isThrownBy(() -> outbox.add(notification(3)))
			.as("the notifications' own bounds still hold")
			.withMessageContaining("notify-listen.stream.outbox.max-size");
	}

	@Test
	void aSnapshotReplacesWhatItsNodeWroteBeforeSoOnlyTheLatestStateWaits() throws InterruptedException {
		StreamOutbox outbox = new StreamOutbox(100, Duration.ofMinutes(10), 3, this.clock);
		Pending other = outbox.addPresence(presence("CHANGE", 1), "other-node", false);
		outbox.addPresence(presence("CHANGE", 2), NODE, false);
		outbox.addPresence(presence("SNAPSHOT", 3), NODE, true);
		Pending notification = outbox.add(notification(1));
		Pending snapshot = outbox.addPresence(presence("SNAPSHOT", 4), NODE, true);
		Pending change = outbox.addPresence(presence("CHANGE", 5), NODE, false);

		assertThat(outbox.head(10, Duration.ZERO)).containsExactly(other, snapshot, change, notification);
		other.confirmed();
		snapshot.confirmed();
		notification.confirmed();
		assertThat(outbox.removeConfirmedHead()).isEqualTo(3);
		assertThat(outbox.head(10, Duration.ZERO)).containsExactly(change);
	}

	@Test
	void refusesPresenceOnceClosedButPublishesWhatItHolds() throws InterruptedException {
		StreamOutbox outbox = new StreamOutbox(100, Duration.ofMinutes(10), 3, this.clock);
		Pending gone = outbox.addPresence(presence("GONE", 1), NODE, true);
		outbox.close();

		assertThatExceptionOfType(NotificationFailedException.class)
			.isThrownBy(() -> outbox.addPresence(presence("SNAPSHOT", 2), NODE, true))
			.withMessageContaining("shutting down");
		assertThat(outbox.head(10, Duration.ZERO)).containsExactly(gone);
		assertThat(outbox.awaitEmpty(Duration.ZERO)).isFalse();
	}

	private LoggedNotification presence(String kind, long sequence) {
		return new LoggedNotification("/topic/shop.presence", Map.of(), new NotifyMessage("Presence", NODE, kind,
				this.clock.instant(), NotifyMessage.SYSTEM, Map.of("sequence", sequence)));
	}

	private LoggedNotification notification(int id) {
		return new LoggedNotification("/topic/shop.Order." + id + ".refresh", Map.of(), new NotifyMessage("Order",
				String.valueOf(id), "refresh", this.clock.instant(), NotifyMessage.SYSTEM, Map.of()));
	}

}
