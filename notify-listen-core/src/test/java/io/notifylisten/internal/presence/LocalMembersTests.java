package io.notifylisten.internal.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.presence.PresenceRecord.Change;
import io.notifylisten.internal.presence.PresenceRecord.Kind;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.presence.PresenceMember;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * This node's members: what it writes to the log, when, and what it holds for the view of
 * every node.
 */
class LocalMembersTests {

	private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);

	private static final PresenceName ORDER = new PresenceName("Order", "42");

	private static final PresenceName OTHER = new PresenceName("Order", "43");

	private final ChannelDestinations destinations = new ChannelDestinations("shop");

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final RecordingLog log = new RecordingLog();

	private final LocalMembers members = new LocalMembers("node-a", this.destinations, () -> this.log, this.clock,
			NODE_TIMEOUT);

	@Test
	void theFirstWriteCarriesTheJoinsAndASnapshotInSequence() {
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.members.write();

		assertThat(this.log.records).extracting(PresenceRecord::kind).containsExactly(Kind.CHANGE, Kind.SNAPSHOT);
		assertThat(this.log.records).extracting(PresenceRecord::sequence).containsExactly(1L, 2L);
		assertThat(this.log.records).extracting(PresenceRecord::node).containsOnly("node-a");
		assertThat(this.log.records.get(0).changes())
			.containsExactly(new Change(true, ORDER, "alice", member("alice")));
		assertThat(this.log.destinations).containsOnly(this.destinations.presenceRecords());
	}

	@Test
	void joinsAndLeavesBetweenTwoWritesGoAsOneRecordInTheOrderTheyHappened() {
		this.members.write();
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.members.join("s2", "sub-1", ORDER, "bob", member("bob"));
		this.members.leave("s1", "sub-1");
		this.members.join("s3", "sub-1", ORDER, "carol", member("carol"));
		this.members.write();

		assertThat(this.log.changes()).singleElement()
			.satisfies((record) -> assertThat(record.changes()).extracting((change) -> sign(change))
				.containsExactly("+alice", "+bob", "-alice", "+carol"));
	}

	@Test
	void aUserHeldByTwoSubscriptionsLeavesWithTheLastOne() {
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.members.join("s2", "sub-7", ORDER, "alice", member("alice"));
		this.members.write();
		assertThat(this.log.changes()).singleElement().satisfies((record) -> assertThat(record.changes()).hasSize(1));

		this.members.leave("s1", "sub-1");
		this.members.write();
		assertThat(this.log.changes()).hasSize(1);
		assertThat(this.members.isPresentOn(ORDER)).isTrue();

		this.members.leaveAll("s2");
		this.members.write();
		assertThat(this.log.changes()).last()
			.satisfies((record) -> assertThat(record.changes()).extracting((change) -> sign(change))
				.containsExactly("-alice"));
		assertThat(this.members.isPresentOn(ORDER)).isFalse();
	}

	@Test
	void aSubscriptionIdUsedAgainOnAnotherObjectLeavesTheFirst() {
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.members.join("s1", "sub-1", OTHER, "alice", member("alice"));
		this.members.write();

		assertThat(this.log.changes().get(0).changes())
			.extracting((change) -> sign(change) + "@" + change.presence().id())
			.containsExactly("+alice@42", "-alice@42", "+alice@43");
		assertThat(this.members.isPresentOn(ORDER)).isFalse();
	}

	@Test
	void aSnapshotOfEveryMemberIsWrittenEveryThirdOfTheNodeTimeout() {
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.members.join("s2", "sub-1", OTHER, "bob", member("bob"));
		this.members.write();
		int written = this.log.records.size();

		this.clock.advance(NODE_TIMEOUT.dividedBy(3).minusMillis(1));
		this.members.write();
		assertThat(this.log.records).hasSize(written);

		this.clock.advance(Duration.ofMillis(1));
		this.members.write();
		assertThat(this.log.records).hasSize(written + 1).last().satisfies((snapshot) -> {
			assertThat(snapshot.kind()).isEqualTo(Kind.SNAPSHOT);
			assertThat(snapshot.changes()).extracting(Change::username).containsExactlyInAnyOrder("alice", "bob");
		});
	}

	@Test
	void aNodeWithoutMembersSaysSoInOneEmptySnapshotThenNothing() {
		this.members.write();
		assertThat(this.log.records).as("a node starts with nothing to say").isEmpty();

		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.members.write();
		this.members.leaveAll("s1");
		this.clock.advance(NODE_TIMEOUT);
		this.members.write();
		assertThat(this.log.records).last()
			.satisfies((snapshot) -> assertThat(snapshot.kind()).isEqualTo(Kind.SNAPSHOT))
			.satisfies((snapshot) -> assertThat(snapshot.changes()).isEmpty());

		int written = this.log.records.size();
		for (int i = 0; i < 3; i++) {
			this.clock.advance(NODE_TIMEOUT);
			this.members.write();
		}
		assertThat(this.log.records).hasSize(written);
	}

	@Test
	void whatTheLogRefusedGoesInASnapshotAtTheNextWrite() {
		this.members.write();
		this.log.failing = true;
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		assertThatNoException().isThrownBy(this.members::write);
		assertThat(this.log.records).isEmpty();

		this.log.failing = false;
		this.members.write();
		assertThat(this.log.records).singleElement().satisfies((snapshot) -> {
			assertThat(snapshot.kind()).isEqualTo(Kind.SNAPSHOT);
			assertThat(snapshot.changes()).extracting(Change::username).containsExactly("alice");
		});
	}

	@Test
	void aSubscriptionTellsWhereItIsAndAsWhomUntilItLeaves() {
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));

		assertThat(this.members.subscription("s1", "sub-1"))
			.isEqualTo(new Change(true, ORDER, "alice", member("alice")));
		assertThat(this.members.holds("s1", "sub-1")).isTrue();
		assertThat(this.members.holds("s1", "sub-2")).isFalse();

		this.members.leave("s1", "sub-1");
		assertThat(this.members.subscription("s1", "sub-1")).isNull();
		assertThat(this.members.holds("s1", "sub-1")).isFalse();
	}

	@Test
	void theLastRecordSaysTheNodeIsGoneAfterEveryOther() {
		this.members.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.members.write();
		this.members.writeGone();

		assertThat(this.log.records).last().satisfies((gone) -> {
			assertThat(gone.kind()).isEqualTo(Kind.GONE);
			assertThat(gone.sequence()).isEqualTo(3L);
			assertThat(gone.changes()).isEmpty();
		});
	}

	private static String sign(Change change) {
		return (change.joined() ? "+" : "-") + change.username();
	}

	private static PresenceMember member(String username) {
		return new PresenceMember(username, username, null);
	}

	private static final class RecordingLog implements NotificationLog {

		final List<PresenceRecord> records = new CopyOnWriteArrayList<>();

		final List<String> destinations = new CopyOnWriteArrayList<>();

		volatile boolean failing;

		@Override
		public void append(LoggedNotification notification) {
			if (this.failing) {
				throw new NotificationFailedException("The broker is away");
			}
			this.destinations.add(notification.destination());
			this.records.add(PresenceRecord.of(notification.message()));
		}

		List<PresenceRecord> changes() {
			return this.records.stream().filter((record) -> record.kind() == Kind.CHANGE).toList();
		}

	}

}
