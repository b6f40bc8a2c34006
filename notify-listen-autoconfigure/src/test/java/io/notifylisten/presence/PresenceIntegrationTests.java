package io.notifylisten.presence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersTestApplication.RevokedOrders;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static io.notifylisten.testapp.OrdersTestApplication.SECRET_ORDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence on one node, through real WebSocket STOMP clients and real Spring Security:
 * who is there, who joins and who leaves, each user once, and only for those who may read
 * the entity.
 */
@OrdersServerTest("notify-listen.key=presence")
@Import(PresenceIntegrationTests.Members.class)
class PresenceIntegrationTests {

	private static final Duration SECONDS = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	Presence presence;

	@Autowired
	Members members;

	@Autowired
	RevokedOrders revokedOrders;

	@Test
	void aSubscriberIsToldWhoIsThereAndTheOthersThatItJoinedAndLeft() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.present("Order", "11");
			JsonNode aliceHere = alice.nextPresence("here", SECONDS);
			assertThat(ids(aliceHere.get("members"))).containsExactly("member-alice");
			assertThat(aliceHere.get("me").get("id").asString()).isEqualTo("member-alice");
			await().atMost(SECONDS).until(() -> this.presence.members("Order", 11).size() == 1);

			StompSession.Subscription bobs = bob.present("Order", "11");
			assertThat(ids(bob.nextPresence("here", SECONDS).get("members"))).containsExactly("member-alice",
					"member-bob");
			JsonNode joined = changeAbout(alice, "member-bob", SECONDS);
			assertThat(ids(joined.get("joining"))).containsExactly("member-bob");
			assertThat(joined.get("count").asInt()).isEqualTo(2);

			bobs.unsubscribe();
			JsonNode left = changeAbout(alice, "member-bob", SECONDS);
			assertThat(ids(left.get("leaving"))).containsExactly("member-bob");
			assertThat(left.get("version").asLong()).isGreaterThan(joined.get("version").asLong());
			assertThat(this.presence.members("Order", 11)).extracting(PresenceMember::id)
				.containsExactly("member-alice");
		}
	}

	@Test
	void aUserWithSeveralPagesIsOneMemberWhoLeavesWithTheLastPage() throws Exception {
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.present("Order", "12");
			bob.nextPresence("here", SECONDS);
			ListenerClient firstTab = ListenerClient.as(this.port, ALICE).connect();
			ListenerClient secondTab = ListenerClient.as(this.port, ALICE).connect();
			firstTab.present("Order", "12");
			secondTab.present("Order", "12");
			assertThat(ids(changeAbout(bob, "member-alice", SECONDS).get("joining"))).containsExactly("member-alice");
			assertThat(ids(secondTab.nextPresence("here", SECONDS).get("members"))).containsOnlyOnce("member-alice");

			firstTab.close();
			assertThat(changeAbout(bob, "member-alice", QUIET)).as("alice still has a page open").isNull();
			secondTab.close();
			assertThat(ids(changeAbout(bob, "member-alice", SECONDS).get("leaving"))).containsExactly("member-alice");
		}
		await().atMost(SECONDS).until(() -> this.presence.members("Order", 12).isEmpty());
	}

	@Test
	void joinsAndLeavesArePublishedAsApplicationEvents() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.present("Order", "13");
			await().atMost(SECONDS).until(() -> this.members.joined.contains("Order/13 alice member-alice"));
		}
		await().atMost(SECONDS).until(() -> this.members.left.contains("Order/13 alice member-alice"));
	}

	@Test
	void aUserWhoMayNotReadTheEntityCanNeitherJoinNorSeeTheMembers() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.present("Order", String.valueOf(SECRET_ORDER));
			alice.nextPresence("here", SECONDS);

			assertThat(bob.authorize(bob.connectionId(), "presence-Order/" + SECRET_ORDER).statusCode()).isEqualTo(403);
			bob.subscribe(bob.presenceDestination("Order", String.valueOf(SECRET_ORDER)), null);
			assertThat(bob.nextError(SECONDS)).isEqualTo("Not allowed to read Order 3");
			assertThat(bob.awaitClosed(SECONDS)).isTrue();
			assertThat(changeAbout(alice, "member-bob", QUIET)).as("bob never joined").isNull();
		}
	}

	@Test
	void aUserWhoLosesAccessStopsSeeingChanges() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.present("Order", "14");
			bob.nextPresence("here", SECONDS);
			this.revokedOrders.revoke(BOB, 14);

			alice.present("Order", "14");
			alice.nextPresence("here", SECONDS);
			assertThat(bob.nextPresence("change", QUIET)).isNull();
		}
	}

	@Test
	void aMemberShowsOnlyWhatTheResolverReturns() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.present("Order", "15");
			JsonNode member = alice.nextPresence("here", SECONDS).get("members").get(0);
			assertThat(member.propertyNames()).containsExactlyInAnyOrder("id", "name", "avatarUrl");
			assertThat(member.get("name").asString()).isEqualTo("Alice");
			assertThat(member.get("avatarUrl").asString()).isEqualTo("/avatars/alice.png");
		}
	}

	@Test
	void aPageSeesNoVersionStepForChangesOnAnotherObject() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.present("Order", "21");
			long version = alice.nextPresence("here", SECONDS).get("version").asLong();
			await().atMost(SECONDS).until(() -> !this.presence.members("Order", 21).isEmpty());
			JsonNode change;
			while ((change = alice.nextPresence("change", QUIET)) != null) {
				version = Math.max(version, change.get("version").asLong());
			}

			// bob opens and closes another order, which alice's page must not be able to
			// tell.
			for (int i = 0; i < 3; i++) {
				StompSession.Subscription elsewhere = bob.present("Order", "22");
				await().atMost(SECONDS).until(() -> !this.presence.members("Order", 22).isEmpty());
				elsewhere.unsubscribe();
				await().atMost(SECONDS).until(() -> this.presence.members("Order", 22).isEmpty());
			}
			bob.present("Order", "21");
			JsonNode joined = changeAbout(alice, "member-bob", SECONDS);
			assertThat(joined.get("version").asLong()).isEqualTo(version + 1);
		}
	}

	@Test
	void aPagesListNamesItAndNoChangeAfterItAnnouncesItJoining() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
				ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			alice.present("Order", "31");
			alice.nextPresence("here", SECONDS);
			bob.present("Order", "31");
			JsonNode here = null;
			List<JsonNode> before = new ArrayList<>();
			List<JsonNode> after = new ArrayList<>();
			StompHeaders headers;
			while ((headers = bob.frameHeaders.poll(QUIET.toMillis() * 2, TimeUnit.MILLISECONDS)) != null) {
				JsonNode frame = bob.messages.poll(1, TimeUnit.SECONDS);
				if ("here".equals(headers.getFirst("notify-listen-presence"))) {
					here = frame;
				}
				else {
					((here != null) ? after : before).add(frame);
				}
			}

			assertThat(here).isNotNull();
			assertThat(ids(here.get("members"))).containsExactly("member-alice", "member-bob");
			assertThat(after).as("changes after bob's list")
				.noneMatch((change) -> ids(change.path("joining")).contains("member-bob"));
			long listed = here.get("version").asLong();
			assertThat(before).as("changes that crossed bob's list, which the client skips")
				.allMatch((change) -> change.get("version").asLong() <= listed);
		}
	}

	@Test
	void aPageThatJoinsAndLeavesAtOnceDoesNotStayAMember() throws Exception {
		// 160 pairs: eight pages of 20, within limits.max-inbound-frames-per-second; each
		// page on an object of its own, so that a ghost shows as a member there.
		List<Integer> ghosts = new ArrayList<>();
		for (int page = 0; page < 8; page++) {
			int object = 1000 + 2 * page;
			try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
				StompHeaders subscribe = alice.presenceHeaders("Order", String.valueOf(object));
				for (int pair = 0; pair < 20; pair++) {
					alice.subscribe(subscribe).unsubscribe();
				}
				// A connection's frames are taken in order, and joins go through the log
				// in order: once this join is through, so are all the joins and leaves
				// before it.
				alice.present("Order", String.valueOf(object + 1));
				await().atMost(SECONDS).until(() -> !this.presence.members("Order", object + 1).isEmpty());
				if (!this.presence.members("Order", object).isEmpty()) {
					ghosts.add(object);
				}
			}
		}
		assertThat(ghosts).as("objects alice left, on a connection still open, and is still listed on").isEmpty();
	}

	// The next change that names a member, past others.
	private static JsonNode changeAbout(ListenerClient client, String memberId, Duration timeout)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		JsonNode change;
		while ((change = client.nextPresence("change",
				Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null) {
			if (ids(change.path("joining")).contains(memberId) || ids(change.path("leaving")).contains(memberId)) {
				return change;
			}
		}
		return null;
	}

	private static List<String> ids(JsonNode members) {
		return members.valueStream().map((member) -> member.get("id").asString()).toList();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Members {

		final List<String> joined = new CopyOnWriteArrayList<>();

		final List<String> left = new CopyOnWriteArrayList<>();

		@Bean
		PresenceMemberResolver presenceMemberResolver() {
			return (user) -> new PresenceMember("member-" + user.getName(),
					Character.toUpperCase(user.getName().charAt(0)) + user.getName().substring(1),
					"/avatars/" + user.getName() + ".png");
		}

		@EventListener
		void joined(PresenceJoinedEvent event) {
			this.joined.add(event.entity() + "/" + event.id() + " " + event.username() + " " + event.member().id());
		}

		@EventListener
		void left(PresenceLeftEvent event) {
			this.left.add(event.entity() + "/" + event.id() + " " + event.username() + " " + event.member().id());
		}

	}

}
