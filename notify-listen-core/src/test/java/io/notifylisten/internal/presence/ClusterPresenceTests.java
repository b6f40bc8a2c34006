package io.notifylisten.internal.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.presence.Presence;
import io.notifylisten.presence.PresenceJoinedEvent;
import io.notifylisten.presence.PresenceLeftEvent;
import io.notifylisten.presence.PresenceMember;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.simp.SimpMessageSendingOperations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;

/**
 * Presence across nodes, as two nodes that share one log see it: every node knows every
 * member, a user leaves when gone from all nodes, a silent node's members leave after the
 * node timeout, and a crowd that joins at once costs one message per subscriber.
 */
class ClusterPresenceTests {

	private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);

	private static final PresenceName ORDER = new PresenceName("Order", "42");

	private final ChannelDestinations destinations = new ChannelDestinations("shop");

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final SharedLog log = new SharedLog();

	private final Node a = new Node(100);

	private final Node b = new Node(100);

	@Test
	void aJoinOnOneNodeIsSeenOnEveryNode() {
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.publish();

		assertThat(this.a.presence.members("Order", 42)).extracting(PresenceMember::id).containsExactly("alice");
		assertThat(this.b.presence.members("Order", 42)).extracting(PresenceMember::id).containsExactly("alice");
		assertThat(this.b.events).containsExactly("joined Order/42 alice");
	}

	@Test
	void aUserOnTwoNodesLeavesOnlyWhenGoneFromBoth() {
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.b.presence.join("s2", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.publish();
		this.b.presence.publish();
		assertThat(this.b.events).containsExactly("joined Order/42 alice");

		this.a.presence.leaveAll("s1");
		this.a.presence.publish();
		assertThat(this.b.presence.members("Order", 42)).hasSize(1);

		this.b.presence.leave("s2", "sub-1");
		this.b.presence.publish();
		assertThat(this.a.presence.members("Order", 42)).isEmpty();
		assertThat(this.a.events).containsExactly("joined Order/42 alice", "left Order/42 alice");
	}

	@Test
	void theMembersOfANodeNotHeardFromForTheNodeTimeoutLeave() {
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.publish();
		this.b.presence.join("s2", "sub-1", ORDER, "bob", member("bob"));
		this.b.presence.publish();

		this.clock.advance(NODE_TIMEOUT.minusMillis(1));
		this.b.presence.sweep();
		assertThat(this.b.presence.members("Order", 42)).hasSize(2);

		this.clock.advance(Duration.ofMillis(2));
		this.b.presence.sweep();
		assertThat(this.b.presence.members("Order", 42)).extracting(PresenceMember::id).containsExactly("bob");
		assertThat(this.b.events).endsWith("left Order/42 alice");
		assertThat(this.b.frames).last()
			.satisfies((frame) -> assertThat(frame.toString()).contains("leaving=[PresenceMember[id=alice"));
	}

	@Test
	void aLiveNodeStaysThroughItsSnapshots() {
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		for (int i = 0; i < 5; i++) {
			this.a.presence.publish();
			this.clock.advance(NODE_TIMEOUT.dividedBy(3));
			this.b.presence.sweep();
		}
		assertThat(this.b.presence.members("Order", 42)).hasSize(1);
	}

	@Test
	void aNodeWithoutMembersWritesNothing() {
		this.a.presence.publish();
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.publish();
		this.a.presence.leaveAll("s1");
		this.clock.advance(NODE_TIMEOUT);
		this.a.presence.publish();
		int written = this.log.written.size();
		for (int i = 0; i < 5; i++) {
			this.clock.advance(NODE_TIMEOUT);
			this.a.presence.publish();
		}
		assertThat(written).as("a join with its snapshot, then the leave with an empty snapshot").isEqualTo(4);
		assertThat(this.log.written).hasSize(written);
	}

	@Test
	void theNextSnapshotCarriesWhatARecordThatFailedWouldHave() {
		this.a.presence.publish();
		this.clock.advance(Duration.ofMillis(50));
		this.log.failing = true;
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		assertThatNoException().isThrownBy(this.a.presence::publish);
		assertThat(this.b.presence.members("Order", 42)).isEmpty();

		this.log.failing = false;
		this.clock.advance(Duration.ofMillis(50));
		this.a.presence.publish();
		assertThat(this.b.presence.members("Order", 42)).hasSize(1);
	}

	@Test
	void aCrowdJoiningAtOnceIsOneFramePerNode() {
		Node roomy = new Node(1000);
		for (int i = 0; i < 300; i++) {
			this.a.presence.join("s" + i, "sub-1", ORDER, "user" + i, member("user" + i));
		}
		this.a.presence.publish();

		List<Map<String, Object>> changes = roomy.framesTo(ORDER);
		assertThat(changes).hasSize(1);
		assertThat((List<?>) changes.get(0).get("joining")).hasSize(300);
	}

	@Test
	void versionsCountTheChangesOfTheirOwnObjectOnly() {
		PresenceName other = new PresenceName("Order", "43");
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.publish();
		for (int i = 0; i < 5; i++) {
			this.b.presence.join("s2", "sub-2", other, "bob", member("bob"));
			this.b.presence.publish();
			this.b.presence.leave("s2", "sub-2");
			this.b.presence.publish();
		}
		this.b.presence.join("s2", "sub-1", ORDER, "bob", member("bob"));
		this.b.presence.publish();

		assertThat(this.a.framesTo(ORDER)).extracting((frame) -> frame.get("version")).containsExactly(1L, 2L);
		assertThat(this.a.framesTo(other)).hasSize(10);
		List<Map<String, Object>> here = new ArrayList<>();
		this.a.presence.join("s3", "sub-1", ORDER, "carol", member("carol"));
		this.a.presence.here("s3", "sub-1", here::add);
		this.a.presence.publish();
		assertThat(here.get(0)).containsEntry("version", 3L);
	}

	@Test
	void aSubscribersListWaitsForItsOwnJoinSoThatNoChangeAfterItAnnouncesIt() {
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.publish();
		List<Map<String, Object>> here = new ArrayList<>();
		this.b.presence.join("s2", "sub-1", ORDER, "bob", member("bob"));
		this.b.presence.here("s2", "sub-1", here::add);
		assertThat(here).as("bob's join has not come back through the log").isEmpty();

		this.b.presence.publish();
		Map<String, Object> joined = this.b.framesTo(ORDER).get(this.b.framesTo(ORDER).size() - 1);
		assertThat(joined.toString()).contains("joining=[PresenceMember[id=bob");
		assertThat(here).singleElement().satisfies((list) -> {
			assertThat(list).containsEntry("version", joined.get("version")).containsEntry("count", 2);
			assertThat(list.get("members").toString()).contains("id=alice", "id=bob");
		});

		this.a.presence.join("s3", "sub-1", ORDER, "carol", member("carol"));
		this.a.presence.publish();
		assertThat(this.b.framesTo(ORDER).get(this.b.framesTo(ORDER).size() - 1)).containsEntry("count", 3);
	}

	@Test
	void withoutTheLogAListGoesAfterTheWaitWithItsSubscriberAdded() {
		this.log.failing = true;
		List<Map<String, Object>> here = new ArrayList<>();
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.here("s1", "sub-1", here::add);
		this.a.presence.publish();
		assertThat(here).isEmpty();

		this.clock.advance(Duration.ofMillis(50).plus(ClusterMembers.HERE_WAIT));
		this.a.presence.publish();
		assertThat(here).singleElement().satisfies((list) -> assertThat(list).containsEntry("count", 1));
	}

	@Test
	void aSubscriberThatLeftBeforeItsListGetsNone() {
		List<Map<String, Object>> here = new ArrayList<>();
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.here("s1", "sub-1", here::add);
		this.a.presence.leave("s1", "sub-1");
		this.a.presence.publish();
		this.clock.advance(Duration.ofMillis(50).plus(ClusterMembers.HERE_WAIT));
		this.a.presence.publish();
		assertThat(here).isEmpty();
	}

	@Test
	void beyondMaxMembersPagesGetTheCountAndTheListAgainOnceBelow() {
		Node small = new Node(2);
		small.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		small.presence.join("s2", "sub-1", ORDER, "bob", member("bob"));
		small.presence.publish();
		small.presence.join("s3", "sub-1", ORDER, "carol", member("carol"));
		this.clock.advance(Duration.ofMillis(50));
		small.presence.publish();
		Map<String, Object> crowded = small.framesTo(ORDER).get(1);
		assertThat(crowded).containsEntry("count", 3)
			.containsEntry("truncated", true)
			.doesNotContainKeys("joining", "members");

		List<Map<String, Object>> here = new ArrayList<>();
		small.presence.join("s4", "sub-1", ORDER, "dave", member("dave"));
		small.presence.here("s4", "sub-1", here::add);
		this.clock.advance(Duration.ofMillis(50));
		small.presence.publish();
		assertThat(here.get(0)).containsEntry("count", 4).containsEntry("truncated", true).doesNotContainKey("members");

		small.presence.leaveAll("s3");
		small.presence.leaveAll("s4");
		this.clock.advance(Duration.ofMillis(50));
		small.presence.publish();
		assertThat(small.framesTo(ORDER).get(3)).containsEntry("count", 2).containsKey("members");
	}

	@Test
	void aNodeThatStopsHasItsMembersLeaveAtOnce() {
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.start();
		this.clock.advance(Duration.ofMillis(10));
		org.awaitility.Awaitility.await().until(() -> this.b.presence.members("Order", 42).size() == 1);

		int framesOnA = this.a.framesTo(ORDER).size();
		this.a.presence.stop();
		assertThat(this.b.presence.members("Order", 42)).isEmpty();
		assertThat(this.a.framesTo(ORDER)).as("A's own pages, about to be disconnected, see nobody leave")
			.hasSize(framesOnA);
	}

	@Test
	void recordsReadFromBeforeTheStartAreSkippedWhenOlderThanTheNodeTimeout() {
		this.log.nodes.remove(this.b);
		this.a.presence.join("s1", "sub-1", ORDER, "alice", member("alice"));
		this.a.presence.publish();
		LoggedNotification written = this.log.written.get(0);

		this.b.presence.accept(written.message(), this.clock.instant().minus(NODE_TIMEOUT).minusMillis(1));
		assertThat(this.b.presence.members("Order", 42)).isEmpty();
		this.b.presence.accept(written.message(), this.clock.instant().minusSeconds(1));
		assertThat(this.b.presence.members("Order", 42)).hasSize(1);
	}

	private static PresenceMember member(String username) {
		return new PresenceMember(username, username, null);
	}

	/**
	 * One log that every node reads, delivering in the writer's thread, as the in-memory
	 * one does.
	 */
	private final class SharedLog implements NotificationLog {

		final List<Node> nodes = new CopyOnWriteArrayList<>();

		final List<LoggedNotification> written = new CopyOnWriteArrayList<>();

		volatile boolean failing;

		@Override
		public void append(LoggedNotification notification) {
			if (this.failing) {
				throw new NotificationFailedException("The broker is away");
			}
			this.written.add(notification);
			assertThat(notification.destination()).isEqualTo(ClusterPresenceTests.this.destinations.presenceRecords());
			this.nodes.forEach((node) -> node.presence.accept(notification.message(), null));
		}

	}

	private final class Node {

		final List<String> events = new CopyOnWriteArrayList<>();

		final List<Object[]> sent = new CopyOnWriteArrayList<>();

		final List<Object> frames = new CopyOnWriteArrayList<>();

		final ClusterPresence presence;

		@SuppressWarnings("unchecked")
		Node(int maxMembers) {
			SimpMessageSendingOperations template = mock(SimpMessageSendingOperations.class);
			willAnswer((invocation) -> {
				this.sent.add(invocation.getArguments());
				this.frames.add(invocation.getArgument(1));
				return null;
			}).given(template).convertAndSend(anyString(), any(Object.class), anyMap());
			this.presence = new ClusterPresence(ClusterPresenceTests.this.destinations,
					() -> ClusterPresenceTests.this.log, () -> template, (event) -> this.events.add(describe(event)),
					ClusterPresenceTests.this.clock, Duration.ofMillis(50), NODE_TIMEOUT, maxMembers);
			ClusterPresenceTests.this.log.nodes.add(this);
		}

		@SuppressWarnings("unchecked")
		List<Map<String, Object>> framesTo(PresenceName presence) {
			String destination = ClusterPresenceTests.this.destinations.destinationOf(presence);
			return this.sent.stream()
				.filter((arguments) -> destination.equals(arguments[0]))
				.map((arguments) -> (Map<String, Object>) arguments[1])
				.toList();
		}

		private static String describe(Object event) {
			if (event instanceof PresenceJoinedEvent joined) {
				return "joined " + joined.entity() + "/" + joined.id() + " " + joined.username();
			}
			PresenceLeftEvent left = (PresenceLeftEvent) event;
			return "left " + left.entity() + "/" + left.id() + " " + left.username();
		}

	}

}
