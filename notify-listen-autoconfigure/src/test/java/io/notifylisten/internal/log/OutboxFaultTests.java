package io.notifylisten.internal.log;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.notifylisten.internal.outbox.PostgresDatabase;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Committed means delivered: with the transactional outbox on a real PostgreSQL and the
 * real broker, what a node committed while the broker was stopped reaches every listener
 * once and in order after that node was killed with SIGKILL, and a rolled-back
 * transaction sends nothing. Node A runs in a process of its own, so that it can be
 * killed; node B in this JVM. Bounded in time and stops by itself.
 */
class OutboxFaultTests {

	private static final String KEY = "outbox-fault-test";

	private static final String CHANNEL = "Order/70/numbered";

	private static final int COMMITTED = 200;

	private static final int ROLLED_BACK = 100_000;

	@Test
	void whatACrashedNodeCommittedWhileTheBrokerWasStoppedReachesEveryListenerOnceInOrder() throws Exception {
		RabbitStreamBroker broker = RabbitStreamBroker.get();
		PostgresDatabase postgres = PostgresDatabase.get();
		String database = postgres.freshSchemaUrl();
		int portA = NodeProcess.freePort();
		ConfigurableApplicationContext nodeB = new SpringApplicationBuilder(OrdersTestApplication.class)
			.properties(nodeProperties("B", 0, broker, postgres, database))
			.run();
		Process nodeA = null;
		List<RecoveringPage> pages = List.of(new RecoveringPage(ALICE, CHANNEL), new RecoveringPage(BOB, CHANNEL));
		try {
			for (RecoveringPage page : pages) {
				page.connect(nodeB.getBean(Environment.class).getProperty("local.server.port", Integer.class));
			}
			nodeA = NodeProcess.start("outbox-fault-test-node-a", portA,
					nodeProperties("A", portA, broker, postgres, database));
			broker.stop();
			try {
				ListenerClient client = ListenerClient.as(portA, ALICE);
				for (int n = 1; n <= COMMITTED; n++) {
					assertThat(client.post("/orders/70/numbered/" + n, Map.of())).as("change %d committed", n)
						.isEqualTo(200);
					if (n == COMMITTED / 2) {
						assertThat(client.post("/orders/70/numbered/" + ROLLED_BACK + "?rollBack=true", Map.of()))
							.as("rolled back")
							.isEqualTo(409);
					}
				}
				nodeA.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			finally {
				broker.start();
			}
			List<Integer> expected = IntStream.rangeClosed(1, COMMITTED).boxed().toList();
			for (RecoveringPage page : pages) {
				assertThat(page.awaitReceived(COMMITTED, Duration.ofSeconds(90))).as(page.toString())
					.containsExactlyElementsOf(expected);
			}
			// Anything published twice, or rolled back, would arrive by now.
			Thread.sleep(3000);
			for (RecoveringPage page : pages) {
				page.drain(Duration.ofMillis(200));
				assertThat(page.received()).as("%s got each once and nothing rolled back", page)
					.containsExactlyElementsOf(expected);
			}
		}
		finally {
			pages.forEach(RecoveringPage::close);
			if (nodeA != null) {
				nodeA.destroyForcibly();
			}
			broker.start();
			nodeB.close();
		}
	}

	private static String[] nodeProperties(String name, int port, RabbitStreamBroker broker, PostgresDatabase postgres,
			String database) {
		return new String[] { "server.port=" + port, "server.address=127.0.0.1", "test.node-name=" + name,
				"notify-listen.key=" + KEY, "notify-listen.secret=0123456789abcdef0123456789abcdef",
				"notify-listen.stream.host=" + broker.host(), "notify-listen.stream.port=" + broker.port(),
				"notify-listen.stream.recovery-interval=1s", "notify-listen.stream.confirm-timeout=2s",
				"notify-listen.outbox.enabled=true", "notify-listen.outbox.jdbc.initialize-schema=always",
				"notify-listen.outbox.lease=4s", "notify-listen.outbox.sweep-interval=1s",
				"spring.datasource.url=" + database, "spring.datasource.username=" + postgres.username(),
				"spring.datasource.password=" + postgres.password(), "spring.jpa.hibernate.ddl-auto=update",
				"spring.jmx.enabled=false" };
	}

}
