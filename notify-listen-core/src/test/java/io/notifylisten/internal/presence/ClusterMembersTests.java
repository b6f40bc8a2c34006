package io.notifylisten.internal.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.presence.PresenceRecord.Change;
import io.notifylisten.internal.presence.PresenceRecord.Kind;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.presence.PresenceJoinedEvent;
import io.notifylisten.presence.PresenceLeftEvent;
import io.notifylisten.presence.PresenceMember;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.messaging.simp.SimpMessageSendingOperations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;

/**
 * Every node's members, from the records the log delivers: who is present, which frames
 * this node's subscribers get and when, and which nodes' members leave.
 */
class ClusterMembersTests {

	private static final Duration PUBLISH_INTERVAL = Duration.ofMillis(50);

	private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);

	private static final PresenceName ORDER = new PresenceName("Order", "42");

	private final ChannelDestinations destinations = new ChannelDestinations("shop");

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final List<LoggedNotification> written = new CopyOnWriteArrayList<>();

	private final LocalMembers local = new LocalMembers("node-a", this.destinations, () -> this.written::add,
			this.clock, NODE_TIMEOUT);

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final List<Map<String, Object>> frames = new CopyOnWriteArrayList<>();

	private ApplicationEventPublisher publisher = (event) -> this.events.add(describe(event));

	private final ClusterMembers cluster = cluster(100);

	@Test
	void anotherNodesJoinIsPresentAndToldToSubscribersAndTheApplication() {
		accept("node-b", 1, Kind.CHANGE, joined("alice"));

		assertThat(this.cluster.members(ORDER)).extracting(PresenceMember::id).containsExactly("alice");
		assertThat(this.events).containsExactly("joined Order/42 alice");
		assertThat(this.frames).singleElement().satisfies((frame) -> {
			assertThat(frame).containsEntry("version", 1L).containsEntry("count", 1);
			assertThat(frame.get("joining")).isEqualTo(List.of(member("alice")));
			assertThat(frame.get("leaving")).isEqualTo(List.of());
		});
	}

	@Test
	void aUserOnTwoNodesStaysUntilGoneFromBoth() {
		accept("node-b", 1, Kind.CHANGE, joined("alice"));
		accept("node-c", 1, Kind.CHANGE, joined("alice"));
		accept("node-b", 2, Kind.CHANGE, left("alice"));
		assertThat(this.cluster.members(ORDER)).hasSize(1);
		assertThat(this.frames).as("nobody joined or left the object").hasSize(1);

		accept("node-c", 2, Kind.CHANGE, left("alice"));
		assertThat(this.cluster.members(ORDER)).isEmpty();
		assertThat(this.events).containsExactly("joined Order/42 alice", "left Order/42 alice");
	}

	@Test
	void aRecordOfASequenceSeenAlreadyIsSkipped() {
		accept("node-b", 2, Kind.CHANGE, joined("alice"));
		accept("node-b", 2, Kind.CHANGE, left("alice"));
		accept("node-b", 1, Kind.CHANGE, left("alice"));

		assertThat(this.cluster.members(ORDER)).hasSize(1);
		assertThat(this.frames).hasSize(1);
	}

	@Test
	void aSnapshotReplacesWhatItsNodeHadInOneFrame() {
		accept("node-b", 1, Kind.CHANGE, joined("alice"), joined("bob"));
		accept("node-b", 2, Kind.SNAPSHOT, joined("bob"), joined("carol"));

		assertThat(this.cluster.members(ORDER)).extracting(PresenceMember::id).containsExactly("bob", "carol");
		assertThat(this.frames).hasSize(2).last().satisfies((frame) -> {
			assertThat(frame).containsEntry("version", 2L).containsEntry("count", 2);
			assertThat(frame.get("joining")).isEqualTo(List.of(member("carol")));
			assertThat(frame.get("leaving")).isEqualTo(List.of(member("alice")));
		});
	}

	@Test
	void aNodeThatSaysItIsGoneHasItsMembersLeaveButThisNodesOwnGoneIsIgnored() {
		accept("node-a", 1, Kind.CHANGE, joined("alice"));
		accept("node-b", 1, Kind.CHANGE, joined("bob"));

		accept("node-b", 2, Kind.GONE);
		accept("node-a", 2, Kind.GONE);
		assertThat(this.cluster.members(ORDER)).extracting(PresenceMember::id).containsExactly("alice");
		assertThat(this.events).endsWith("left Order/42 bob");
	}

	@Test
	void theMembersOfANodeSilentForTheNodeTimeoutLeaveButNeverThisNodes() {
		accept("node-a", 1, Kind.CHANGE, joined("alice"));
		accept("node-b", 1, Kind.CHANGE, joined("bob"));

		this.clock.advance(NODE_TIMEOUT);
		this.cluster.sweep();
		assertThat(this.cluster.members(ORDER)).hasSize(2);

		this.clock.advance(Duration.ofMillis(1));
		this.cluster.sweep();
		assertThat(this.cluster.members(ORDER)).extracting(PresenceMember::id).containsExactly("alice");
		assertThat(this.frames).last()
			.satisfies((frame) -> assertThat(frame.get("leaving")).isEqualTo(List.of(member("bob"))));
	}

	@Test
	void aRecordReadBackFromBeforeTheNodeTimeoutIsSkipped() {
		this.cluster.accept(record("node-b", 1, Kind.SNAPSHOT, joined("alice")),
				this.clock.instant().minus(NODE_TIMEOUT).minusMillis(1));
		assertThat(this.cluster.members(ORDER)).isEmpty();

		this.cluster.accept(record("node-b", 1, Kind.SNAPSHOT, joined("alice")), this.clock.instant().minusSeconds(1));
		assertThat(this.cluster.members(ORDER)).hasSize(1);
	}

	@Test
	void aNewSubscribersListWaitsForItsOwnJoinAndCarriesTheVersionOfThatChange() {
		accept("node-b", 1, Kind.CHANGE, joined("bob"));
		List<Map<String, Object>> here = new ArrayList<>();
		this.local.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.cluster.here("s1", "sub-1", here::add);
		assertThat(here).isEmpty();

		accept("node-a", 1, Kind.CHANGE, joined("alice"));
		assertThat(here).singleElement().satisfies((list) -> {
			assertThat(list).containsEntry("version", 2L)
				.containsEntry("count", 2)
				.containsEntry("me", member("alice"));
			assertThat(list.get("members")).isEqualTo(List.of(member("bob"), member("alice")));
		});
	}

	@Test
	void aListOverdueGoesWithItsSubscriberAddedOnlyAfterTheWait() {
		List<Map<String, Object>> here = new ArrayList<>();
		this.local.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.cluster.here("s1", "sub-1", here::add);

		this.clock.advance(PUBLISH_INTERVAL.plus(ClusterMembers.HERE_WAIT).minusMillis(1));
		this.cluster.sendOverdueLists();
		assertThat(here).isEmpty();

		this.clock.advance(Duration.ofMillis(1));
		this.cluster.sendOverdueLists();
		assertThat(here).singleElement()
			.satisfies((list) -> assertThat(list).containsEntry("version", 0L)
				.containsEntry("count", 1)
				.containsEntry("members", List.of(member("alice"))));
	}

	@Test
	void aSubscriberThatLeftBeforeItsListGetsNone() {
		List<Map<String, Object>> here = new ArrayList<>();
		this.local.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.cluster.here("s1", "sub-1", here::add);
		this.local.leave("s1", "sub-1");

		accept("node-a", 1, Kind.CHANGE, joined("alice"));
		this.clock.advance(Duration.ofSeconds(5));
		this.cluster.sendOverdueLists();
		assertThat(here).isEmpty();

		this.cluster.here("s1", "sub-1", here::add);
		assertThat(here).as("it left before its list was asked for").isEmpty();
	}

	@Test
	void beyondMaxMembersSubscribersGetTheCountThenTheWholeListOnceBelow() {
		ClusterMembers small = cluster(2);
		small.accept(record("node-b", 1, Kind.CHANGE, joined("alice"), joined("bob"), joined("carol")), null);
		assertThat(this.frames).last()
			.satisfies((frame) -> assertThat(frame).containsEntry("count", 3)
				.containsEntry("truncated", true)
				.doesNotContainKeys("joining", "members"));

		small.accept(record("node-b", 2, Kind.CHANGE, left("carol")), null);
		assertThat(this.frames).last()
			.satisfies((frame) -> assertThat(frame).containsEntry("count", 2)
				.containsEntry("members", List.of(member("alice"), member("bob")))
				.doesNotContainKeys("joining", "truncated"));
	}

	@Test
	void aFailingListenerDoesNotKeepSubscribersFromTheChange() {
		this.publisher = (event) -> {
			throw new IllegalStateException("listener failed");
		};
		ClusterMembers cluster = cluster(100);
		cluster.accept(record("node-b", 1, Kind.CHANGE, joined("alice")), null);
		cluster.accept(record("node-b", 2, Kind.CHANGE, joined("bob")), null);

		assertThat(cluster.members(ORDER)).hasSize(2);
		assertThat(this.frames).hasSize(2);
	}

	@SuppressWarnings("unchecked")
	private ClusterMembers cluster(int maxMembers) {
		SimpMessageSendingOperations template = mock(SimpMessageSendingOperations.class);
		String destination = this.destinations.destinationOf(ORDER);
		willAnswer((invocation) -> {
			assertThat((String) invocation.getArgument(0)).isEqualTo(destination);
			assertThat((Map<String, Object>) invocation.getArgument(2)).containsEntry(ClusterPresence.FRAME_HEADER,
					"change");
			this.frames.add(invocation.getArgument(1));
			return null;
		}).given(template).convertAndSend(anyString(), any(Object.class), anyMap());
		ApplicationEventPublisher events = (event) -> this.publisher.publishEvent(event);
		return new ClusterMembers(this.local, this.destinations, () -> template, events, this.clock, PUBLISH_INTERVAL,
				NODE_TIMEOUT, maxMembers);
	}

	private void accept(String node, long sequence, Kind kind, Change... changes) {
		this.cluster.accept(record(node, sequence, kind, changes), null);
	}

	private NotifyMessage record(String node, long sequence, Kind kind, Change... changes) {
		return new PresenceRecord(node, sequence, kind, List.of(changes)).toMessage(this.clock.instant());
	}

	private static Change joined(String username) {
		return new Change(true, ORDER, username, member(username));
	}

	private static Change left(String username) {
		return new Change(false, ORDER, username, member(username));
	}

	private static PresenceMember member(String username) {
		return new PresenceMember(username, username, null);
	}

	private static String describe(Object event) {
		if (event instanceof PresenceJoinedEvent joined) {
			return "joined " + joined.entity() + "/" + joined.id() + " " + joined.username();
		}
		PresenceLeftEvent left = (PresenceLeftEvent) event;
		return "left " + left.entity() + "/" + left.id() + " " + left.username();
	}

}
