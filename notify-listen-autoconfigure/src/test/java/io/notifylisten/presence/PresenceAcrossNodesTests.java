package io.notifylisten.presence;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.notifylisten.internal.log.NodeProcess;
import io.notifylisten.internal.log.RabbitStreamBroker;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence across two nodes that share a RabbitMQ stream: A in this JVM, C in a process
 * of its own. Each sees the members of the other; when C is killed with SIGKILL, its
 * members leave on A within {@code notify-listen.presence.node-timeout}, and nothing else
 * restarts.
 */
class PresenceAcrossNodesTests {

	private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);

	private static final Duration SECONDS = Duration.ofSeconds(10);

	/**
	 * A child JVM that has just started, on a machine busy with other tests, can be slow
	 * to join.
	 */
	private static final Duration FIRST_JOIN = Duration.ofSeconds(30);

	@Test
	void aKilledNodesMembersLeaveEverywhereWithinTheNodeTimeout() throws Exception {
		RabbitStreamBroker broker = RabbitStreamBroker.get();
		int portC = NodeProcess.freePort();
		Process nodeC = NodeProcess.start("presence-node-c", portC, properties(broker, "C", portC));
		try (ConfigurableApplicationContext nodeA = new SpringApplicationBuilder(OrdersTestApplication.class)
			.properties(properties(broker, "A", 0))
			.run();
				ListenerClient aliceOnA = ListenerClient.as(port(nodeA), ALICE).connect();
				ListenerClient bobOnC = ListenerClient.as(portC, BOB).connect()) {
			Presence presenceOnA = nodeA.getBean(Presence.class);
			aliceOnA.present("Order", "70");
			aliceOnA.nextPresence("here", SECONDS);
			bobOnC.present("Order", "70");
			bobOnC.nextPresence("here", SECONDS);

			await().atMost(FIRST_JOIN)
				.untilAsserted(() -> assertThat(presenceOnA.members("Order", 70)).extracting(PresenceMember::id)
					.containsExactly(ALICE, BOB));
			ListenerClient secondBobOnC = ListenerClient.as(portC, BOB).connect();
			secondBobOnC.present("Order", "70");
			assertThat(ids(secondBobOnC.nextPresence("here", SECONDS).get("members"))).as("C knows who is on A")
				.containsExactly(ALICE, BOB);

			nodeC.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			long killedAt = System.nanoTime();
			JsonNode left;
			do {
				left = aliceOnA.nextPresence("change", SECONDS);
			}
			while (left != null && !ids(left.path("leaving")).contains(BOB));
			long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

			assertThat(left).as("bob leaves on A").isNotNull();
			System.out.println("Presence: bob left on A " + tookMillis + " ms after node C was killed (node-timeout "
					+ NODE_TIMEOUT.toMillis() + " ms)");
			// Silent for node-timeout after its last snapshot, which came at most a third
			// of it before the kill; A checks every tenth of it.
			assertThat(tookMillis).isLessThanOrEqualTo(NODE_TIMEOUT.toMillis() + NODE_TIMEOUT.toMillis() / 10 + 500);
			assertThat(presenceOnA.members("Order", 70)).extracting(PresenceMember::id).containsExactly(ALICE);
			assertThat(aliceOnA.isConnected()).as("A kept running").isTrue();
		}
		finally {
			nodeC.destroyForcibly();
		}
	}

	private static List<String> ids(JsonNode members) {
		return members.valueStream().map((member) -> member.get("id").asString()).toList();
	}

	private static String[] properties(RabbitStreamBroker broker, String name, int port) {
		return new String[] { "server.port=" + port, "server.address=127.0.0.1", "notify-listen.key=presence-nodes",
				"notify-listen.secret=0123456789abcdef0123456789abcdef", "notify-listen.stream.host=" + broker.host(),
				"notify-listen.stream.port=" + broker.port(), "notify-listen.stream.recovery-interval=1s",
				"notify-listen.presence.node-timeout=" + NODE_TIMEOUT.toSeconds() + "s",
				"spring.datasource.url=jdbc:h2:mem:presence-nodes-" + name + ";DB_CLOSE_DELAY=-1",
				"spring.jmx.enabled=false" };
	}

	private static int port(ConfigurableApplicationContext node) {
		return node.getBean(Environment.class).getProperty("local.server.port", Integer.class);
	}

}
