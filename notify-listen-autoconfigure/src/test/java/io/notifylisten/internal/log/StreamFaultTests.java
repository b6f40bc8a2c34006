package io.notifylisten.internal.log;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.notifylisten.internal.metrics.NotifyListenMetrics;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.transaction.support.TransactionTemplate;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing that {@code notify} accepted is lost when RabbitMQ or a node fails: two nodes
 * in this JVM (A, which notifies 20 times a second, and B) and, for a node's crash, a
 * third in a process of its own; listeners on each; every notification that returned
 * normally must reach every listener exactly once and in order, counted per listener, as
 * the browser client hands them to the page. Each scenario is bounded in time and stops
 * by itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamFaultTests {

	private static final String KEY = "fault-test";

	private static final String SECRET = "0123456789abcdef0123456789abcdef";

	private static final Duration DELIVERY = Duration.ofSeconds(60);

	private RabbitStreamBroker broker;

	private ConfigurableApplicationContext nodeA;

	private ConfigurableApplicationContext nodeB;

	@BeforeAll
	void startNodes() {
		this.broker = RabbitStreamBroker.get();
		this.nodeA = new SpringApplicationBuilder(OrdersTestApplication.class).properties(nodeProperties("A", 0)).run();
		this.nodeB = new SpringApplicationBuilder(OrdersTestApplication.class).properties(nodeProperties("B", 0)).run();
	}

	@AfterAll
	void stopNodes() throws Exception {
		this.broker.start();
		if (this.nodeA != null) {
			this.nodeA.close();
		}
		if (this.nodeB != null) {
			this.nodeB.close();
		}
	}

	@Test
	void brokerStoppedAndStarted() throws Exception {
		brokerOutage("Order/60/shipped", this.broker::stop);
	}

	@Test
	void brokerKilledAndRestarted() throws Exception {
		brokerOutage("Order/61/shipped", this.broker::kill);
	}

	@Test
	void burstsPublishedTogetherWhileTheBrokerStopsLoseNothingAccepted() throws Exception {
		brokerOutage("Order/63/shipped", this.broker::stop, 50);
	}

	// A crash leaves notifications the client had written and others it had not yet:
	// both must reach the stream in the order accepted.
	@Test
	void burstsPublishedTogetherWhileTheBrokerIsKilledLoseNothingAccepted() throws Exception {
		brokerOutage("Order/64/shipped", this.broker::kill, 30);
	}

	private void brokerOutage(String channel, Outage outage) throws Exception {
		brokerOutage(channel, outage, 1);
	}

	private void brokerOutage(String channel, Outage outage, int perTransaction) throws Exception {
		List<RecoveringPage> pages = List.of(new RecoveringPage(ALICE, channel), new RecoveringPage(BOB, channel),
				new RecoveringPage(ALICE, channel), new RecoveringPage(BOB, channel));
		try {
			pages.get(0).connect(port(this.nodeA));
			pages.get(1).connect(port(this.nodeA));
			pages.get(2).connect(port(this.nodeB));
			pages.get(3).connect(port(this.nodeB));
			Thread.sleep(300);
			try (Publisher publisher = new Publisher(this.nodeA.getBean(Notifier.class),
					this.nodeA.getBean(TransactionTemplate.class), channel, perTransaction)) {
				Thread.sleep(1500);
				outage.begin();
				try {
					Thread.sleep(4000);
				}
				finally {
					this.broker.start();
				}
				Thread.sleep(2000);
				publisher.stop();
				assertThat(publisher.refused).as("refused with the outbox far from full").isEmpty();
				assertThat(publisher.accepted).as("accepted during the whole run").hasSizeGreaterThan(100);
				for (RecoveringPage page : pages) {
					assertThat(page.awaitReceived(publisher.accepted.size(), DELIVERY))
						.as("%s; node A %s; node B %s", page, deliveries(this.nodeA), deliveries(this.nodeB))
						.containsExactlyElementsOf(publisher.accepted);
					assertThat(page.isConnected()).as("%s stayed connected", page).isTrue();
				}
			}
			Thread.sleep(300);
			for (RecoveringPage page : pages) {
				page.drain(Duration.ofMillis(100));
				assertThat(page.received()).as("%s got nothing twice", page).doesNotHaveDuplicates();
			}
		}
		finally {
			pages.forEach(RecoveringPage::close);
		}
	}

	@Test
	void nodeKilledAndRestartedItsPagesRecoverWhatTheyMissed() throws Exception {
		String channel = "Order/62/shipped";
		int portC = NodeProcess.freePort();
		Process nodeC = startNodeProcess(portC);
		RecoveringPage aliceOnC = new RecoveringPage(ALICE, channel);
		RecoveringPage bobOnC = new RecoveringPage(BOB, channel);
		RecoveringPage aliceOnA = new RecoveringPage(ALICE, channel);
		try {
			aliceOnC.connect(portC);
			bobOnC.connect(portC);
			aliceOnA.connect(port(this.nodeA));
			Thread.sleep(300);
			try (Publisher publisher = new Publisher(this.nodeA.getBean(Notifier.class),
					this.nodeA.getBean(TransactionTemplate.class), channel, 1)) {
				Thread.sleep(1500);
				nodeC.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				aliceOnC.drain(Duration.ofMillis(100));
				bobOnC.drain(Duration.ofMillis(100));
				nodeC = startNodeProcess(portC);
				aliceOnC.connect(portC);
				bobOnC.connect(portC);
				Thread.sleep(2000);
				publisher.stop();
				assertThat(publisher.refused).isEmpty();
				for (RecoveringPage page : List.of(aliceOnC, bobOnC, aliceOnA)) {
					assertThat(page.awaitReceived(publisher.accepted.size(), DELIVERY)).as(page.toString())
						.containsExactlyElementsOf(publisher.accepted);
				}
				assertThat(aliceOnC.recoveries()).containsExactly(true);
				assertThat(bobOnC.recoveries()).containsExactly(true);
			}
		}
		finally {
			aliceOnC.close();
			bobOnC.close();
			aliceOnA.close();
			nodeC.destroyForcibly();
		}
	}

	@Test
	void aNodeStoppedRightAfterTheBrokerCameBackPublishesWhatItHeldBeforeItEnds() throws Exception {
		String channel = "Order/63/shipped";
		int portC = NodeProcess.freePort();
		// Slow to notice the broker's return by itself: the stop must try it at once.
		Process nodeC = NodeProcess.start("fault-test-node-c-stop", portC,
				withRecoveryInterval(nodeProperties("C", portC), "30s"));
		try (RecoveringPage aliceOnA = new RecoveringPage(ALICE, channel)) {
			aliceOnA.connect(port(this.nodeA));
			Thread.sleep(300);
			List<Integer> accepted = new ArrayList<>();
			this.broker.stop();
			try {
				// Time for node C to see the connection drop, so that notify holds
				// without waiting.
				Thread.sleep(3000);
				for (int n = 1; n <= 30; n++) {
					assertThat(
							publish(portC,
									"{\"entity\":\"Order\",\"id\":\"63\",\"action\":\"shipped\","
											+ "\"payload\":{\"n\":" + n + "}}"))
						.as("notification %d", n)
						.isEqualTo(200);
					accepted.add(n);
				}
			}
			finally {
				this.broker.start();
			}
			nodeC.destroy();
			assertThat(nodeC.waitFor(60, TimeUnit.SECONDS)).as("node C ended after SIGTERM").isTrue();

			assertThat(aliceOnA.awaitReceived(accepted.size(), DELIVERY)).containsExactlyElementsOf(accepted);
		}
		finally {
			nodeC.destroyForcibly();
		}
	}

	// Signed as the other service would sign it (see Notifying from another service).
	private static int publish(int port, String body) throws Exception {
		String timestamp = String.valueOf(Instant.now().getEpochSecond());
		String signature = new SubscriptionSigner(KEY, SECRET)
			.signRaw("POST\n/rest/pusher/notify\n" + timestamp + "\n" + body);
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rest/pusher/notify"))
			.header("Content-Type", "application/json")
			.header("X-Notify-Timestamp", timestamp)
			.header("X-Notify-Signature", signature)
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	private static String[] withRecoveryInterval(String[] properties, String interval) {
		return Stream.of(properties)
			.map((property) -> property.startsWith("notify-listen.stream.recovery-interval=")
					? "notify-listen.stream.recovery-interval=" + interval : property)
			.toArray(String[]::new);
	}

	private Process startNodeProcess(int port) throws Exception {
		return NodeProcess.start("fault-test-node-c", port, nodeProperties("C", port));
	}

	private String[] nodeProperties(String name, int port) {
		return new String[] { "server.port=" + port, "server.address=127.0.0.1", "test.node-name=" + name,
				"notify-listen.key=" + KEY, "notify-listen.secret=" + SECRET, "notify-listen.publish.enabled=true",
				"notify-listen.stream.host=" + this.broker.host(), "notify-listen.stream.port=" + this.broker.port(),
				"notify-listen.stream.recovery-interval=1s", "notify-listen.stream.confirm-timeout=2s",
				// Room for everything a page misses while its node restarts, at 20
				// notifications a second.
				"notify-listen.history.size=1000",
				"spring.datasource.url=jdbc:h2:mem:fault-test-" + name + ";DB_CLOSE_DELAY=-1",
				"spring.jmx.enabled=false" };
	}

	// What a node says of its deliveries, to tell where a page's missing messages went.
	private static String deliveries(ConfigurableApplicationContext node) {
		MeterRegistry registry = node.getBean(MeterRegistry.class);
		StringBuilder said = new StringBuilder();
		for (String name : List.of(NotifyListenMetrics.NOTIFIED, NotifyListenMetrics.DELIVERED,
				NotifyListenMetrics.DROPPED, NotifyListenMetrics.CONFLATED, NotifyListenMetrics.STREAM_REJECTED)) {
			for (Meter meter : registry.find(name).meters()) {
				said.append(' ').append(name).append(meter.getId().getTags()).append('=');
				meter.measure().forEach((measurement) -> said.append(measurement.getValue()));
			}
		}
		return "[" + said.toString().trim() + "]";
	}

	private static int port(ConfigurableApplicationContext node) {
		return node.getBean(Environment.class).getProperty("local.server.port", Integer.class);
	}

	@FunctionalInterface
	interface Outage {

		void begin() throws Exception;

	}

	/**
	 * Notifies one channel 20 times a second, with a number in the payload, and records
	 * the outcome; with more than one per transaction, each transaction notifies that
	 * many, which its node publishes together after commit.
	 */
	private static final class Publisher implements AutoCloseable {

		private final List<Integer> accepted = new CopyOnWriteArrayList<>();

		private final List<Integer> refused = new CopyOnWriteArrayList<>();

		private final Thread thread;

		private volatile boolean running = true;

		Publisher(Notifier notifier, TransactionTemplate transactions, String channel, int perTransaction) {
			String[] parts = channel.split("/");
			this.thread = new Thread(() -> {
				long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
				for (int n = 1; this.running && System.nanoTime() < end; n += perTransaction) {
					List<Integer> numbers = IntStream.range(n, n + perTransaction).boxed().toList();
					try {
						if (perTransaction == 1) {
							notifier.notify(parts[0], parts[1], parts[2], Map.of("n", n));
						}
						else {
							transactions.executeWithoutResult((status) -> numbers.forEach(
									(number) -> notifier.notify(parts[0], parts[1], parts[2], Map.of("n", number))));
						}
						this.accepted.addAll(numbers);
					}
					catch (NotificationFailedException ex) {
						this.refused.addAll(numbers);
					}
					try {
						Thread.sleep(50);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "fault-test-publisher");
			this.thread.start();
		}

		void stop() throws InterruptedException {
			this.running = false;
			this.thread.join(30_000);
		}

		@Override
		public void close() throws InterruptedException {
			stop();
		}

	}

}
