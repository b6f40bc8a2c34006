package io.notifylisten.internal.log;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.rabbitmq.stream.Address;
import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.Producer;
import io.micrometer.core.instrument.MeterRegistry;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.Notifier;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.presence.Presence;
import io.notifylisten.presence.PresenceMember;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrderService;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.messaging.simp.stomp.StompSession;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several nodes sharing one real RabbitMQ stream as their notification log: two nodes of
 * one application (A and B) and a third node (C) of another environment with its own key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class StreamIntegrationTests {

	private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

	// Longer than ListenerClient.QUIET: a message to another node goes through the broker
	// first.
	private static final Duration QUIET = Duration.ofMillis(700);

	private static final String SECRET = "0123456789abcdef0123456789abcdef";

	private RabbitStreamBroker broker;

	private ConfigurableApplicationContext nodeA;

	private ConfigurableApplicationContext nodeB;

	private ConfigurableApplicationContext nodeC;

	@BeforeAll
	void startNodes() {
		this.broker = RabbitStreamBroker.get();
		this.nodeA = startNode("A", "stream-test");
		this.nodeB = startNode("B", "stream-test");
		this.nodeC = startNode("C", "stream-test-other-env");
	}

	@AfterAll
	void stopNodes() {
		for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] { this.nodeA, this.nodeB,
				this.nodeC }) {
			if (node != null) {
				node.close();
			}
		}
	}

	@Test
	void notificationOnOneNodeReachesListenersOnTheOtherBothWays() throws Exception {
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect();
				ListenerClient bobOnA = ListenerClient.as(port(this.nodeA), BOB).connect()) {
			aliceOnB.listen("Order/1/shipped");
			bobOnA.listen("Order/2/shipped");
			awaitSubscribed();

			notifier(this.nodeA).notify("Order", 1, "shipped");
			notifier(this.nodeB).notify("Order", 2, "shipped");

			JsonNode toAlice = aliceOnB.nextMessage(TWO_SECONDS);
			JsonNode toBob = bobOnA.nextMessage(TWO_SECONDS);
			assertThat(toAlice).isNotNull();
			assertThat(toAlice.get("id").asString()).isEqualTo("1");
			assertThat(toBob).isNotNull();
			assertThat(toBob.get("id").asString()).isEqualTo("2");
		}
	}

	@Test
	void handlerRunsOnTheNodeHoldingTheConnectionAsThatUser() throws Exception {
		this.nodeA.getBean(OrderService.class).save(30, "new");
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect()) {
			aliceOnB.listen("Order/30/refresh");
			awaitSubscribed();
			this.nodeA.getBean(OrderService.class).save(30, "paid");

			JsonNode message = aliceOnB.nextMessage(TWO_SECONDS);
			assertThat(message).isNotNull();
			assertThat(message.get("result").get("node").asString()).isEqualTo("B");
			assertThat(message.get("result").get("principal").asString()).isEqualTo(ALICE);
			assertThat(message.get("result").get("loadedStatus").asString()).isEqualTo("paid");
		}
	}

	@Test
	void messageForAUserReachesThemOnAnotherNodeAndNobodyElse() throws Exception {
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect();
				ListenerClient bobOnB = ListenerClient.as(port(this.nodeB), BOB).connect()) {
			aliceOnB.subscribe(userDestination(aliceOnB), null);
			bobOnB.subscribe(userDestination(bobOnB), null);
			awaitSubscribed();

			notifier(this.nodeA).notifyUser(ALICE, "Order", 5, "assigned", Map.of("by", "dispatch"));

			JsonNode message = aliceOnB.nextMessage(TWO_SECONDS);
			assertThat(message).isNotNull();
			assertThat(message.get("action").asString()).isEqualTo("assigned");
			assertThat(message.get("payload").get("by").asString()).isEqualTo("dispatch");
			assertThat(bobOnB.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void userMessageAboutAnEntityTheUserMayNotReadIsNotDelivered() throws Exception {
		try (ListenerClient bobOnB = ListenerClient.as(port(this.nodeB), BOB).connect()) {
			bobOnB.subscribe(userDestination(bobOnB), null);
			awaitSubscribed();

			notifier(this.nodeA).notifyUser(BOB, "Order", OrdersTestApplication.SECRET_ORDER, "assigned", Map.of());
			notifier(this.nodeA).notifyUser(BOB, "Order", 4, "assigned", Map.of());

			JsonNode message = bobOnB.nextMessage(TWO_SECONDS);
			assertThat(message).isNotNull();
			assertThat(message.get("id").asString()).isEqualTo("4");
			assertThat(bobOnB.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void clientReturningToAnotherNodeRecoversWhatItMissed() throws Exception {
		long last;
		String epoch;
		try (ListenerClient aliceOnA = ListenerClient.as(port(this.nodeA), ALICE).connect()) {
			aliceOnA.listen("Order/41/shipped");
			awaitSubscribed();
			notifier(this.nodeB).notify("Order", 41, "shipped", Map.of("n", 1));
			JsonNode first = aliceOnA.nextMessage(TWO_SECONDS);
			assertThat(first).isNotNull();
			last = first.get("sequence").asLong();
			epoch = first.get("epoch").asString();
		}
		notifier(this.nodeA).notify("Order", 41, "shipped", Map.of("n", 2));
		notifier(this.nodeB).notify("Order", 41, "shipped", Map.of("n", 3));
		Thread.sleep(500);
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect()) {
			aliceOnB.listenSince("Order/41/shipped", epoch, last);
			JsonNode recovery = aliceOnB.nextMessage(TWO_SECONDS);
			assertThat(recovery).isNotNull();
			assertThat(recovery.get("recovered").asBoolean()).isTrue();
			assertThat(recovery.get("messages").valueStream().map((message) -> message.get("payload").get("n").asInt()))
				.containsExactly(2, 3);
		}
	}

	@Test
	void aPositionNodeAGaveAPageRecoversOnNodeB() throws Exception {
		ListenPosition position = notifier(this.nodeA).positionOf("Order", 44);
		notifier(this.nodeA).notify("Order", 44, "shipped", Map.of("n", 1));
		notifier(this.nodeB).notify("Order", 44, "shipped", Map.of("n", 2));
		// Both read by B before the page subscribes, so that they can only reach it
		// through
		// the recovery from A's position.
		await().atMost(TWO_SECONDS)
			.until(() -> notifier(this.nodeB).positionOf("Order", 44).sequence() >= position.sequence() + 2);

		try (ListenerClient pageOnB = ListenerClient.as(port(this.nodeB), ALICE).connect()) {
			ListenPosition since = ListenPosition.parse(position.toString());
			pageOnB.listenSince("Order/44/shipped", since.epoch(), since.sequence());
			JsonNode recovery = pageOnB.nextMessage(TWO_SECONDS);
			assertThat(recovery).isNotNull();
			assertThat(recovery.get("recovered").asBoolean()).isTrue();
			assertThat(recovery.get("messages").valueStream().map((message) -> message.get("payload").get("n").asInt()))
				.containsExactly(1, 2);
			assertThat(pageOnB.nextMessage(QUIET)).as("each once").isNull();
		}
	}

	@Test
	void aNotificationInTheStreamTwiceAfterALostConfirmationIsDeliveredOnce() throws Exception {
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect()) {
			aliceOnB.listen("Order/43/shipped");
			awaitSubscribed();
			byte[] record = record("retried-" + UUID.randomUUID(), 43, 1);
			// Both copies, as a node's outbox publishes one again when the broker's
			// confirmation was lost.
			writeToTheStream((producer) -> List.of(signed(producer, SECRET, record), signed(producer, SECRET, record)));

			assertThat(aliceOnB.nextMessage(TWO_SECONDS)).isNotNull();
			assertThat(aliceOnB.nextMessage(QUIET)).as("the second copy").isNull();
		}
	}

	@Test
	void aRecordWrittenToTheStreamWithoutTheApplicationsSignatureIsDroppedAndCounted(CapturedOutput output)
			throws Exception {
		int logStart = output.getAll().length();
		BrokerConnection streamOfB = this.nodeB.getBean(BrokerConnection.class);
		long unsignedBefore = streamOfB.rejectedRecords().get("unsigned");
		long forgedBefore = streamOfB.rejectedRecords().get("bad-signature");
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect()) {
			aliceOnB.listen("Order/46/shipped");
			awaitSubscribed();
			writeToTheStream((producer) -> List.of(producer.messageBuilder().addData(record("unsigned", 46, 1)).build(),
					signed(producer, "not-the-secret-0123456789abcdef012345", record("forged", 46, 2)),
					signed(producer, SECRET, record("signed", 46, 3))));

			JsonNode delivered = aliceOnB.nextMessage(TWO_SECONDS);
			assertThat(delivered).isNotNull();
			assertThat(delivered.get("payload").get("n").asInt()).as("only the signed one").isEqualTo(3);
			assertThat(aliceOnB.nextMessage(QUIET)).isNull();
		}
		assertThat(streamOfB.rejectedRecords().get("unsigned")).isEqualTo(unsignedBefore + 1);
		assertThat(streamOfB.rejectedRecords().get("bad-signature")).isEqualTo(forgedBefore + 1);
		assertThat(this.nodeB.getBean(MeterRegistry.class)
			.get("notify.listen.stream.rejected")
			.tag("reason", "bad-signature")
			.functionCounter()
			.count()).isEqualTo(forgedBefore + 1);
		// At the first one dropped, which may be one left in the stream's history by an
		// earlier run.
		assertThat(output.getAll()).containsPattern("WARN .*Dropped records of the stream 'notify-listen.stream-test'");
		assertThat(output.getAll().substring(logStart)).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	private static byte[] record(String id, int order, int n) {
		NotifyMessage message = new NotifyMessage("Order", String.valueOf(order), "shipped", Instant.now(),
				NotifyMessage.SYSTEM, Map.of("n", n));
		return JsonMapper.shared()
			.writeValueAsBytes(new StreamRecord(id + "-" + UUID.randomUUID(),
					"/topic/stream-test.Order." + order + ".shipped", Map.of(), message));
	}

	private static Message signed(Producer producer, String secret, byte[] record) {
		return new StreamRecordSignature(new SubscriptionSigner("stream-test", secret), "notify-listen.stream-test")
			.sign(producer.messageBuilder(), record);
	}

	// Straight to the stream with the client's environment API, as anyone with rights on
	// the broker can.
	private void writeToTheStream(Function<Producer, List<Message>> messages) throws Exception {
		Address broker = new Address(this.broker.host(), this.broker.port());
		try (com.rabbitmq.stream.Environment environment = com.rabbitmq.stream.Environment.builder()
			.host(broker.host())
			.port(broker.port())
			.addressResolver((ignored) -> broker)
			.build()) {
			Producer producer = environment.producerBuilder().stream("notify-listen.stream-test").build();
			List<Message> written = messages.apply(producer);
			CountDownLatch confirmed = new CountDownLatch(written.size());
			written.forEach((message) -> producer.send(message, (status) -> confirmed.countDown()));
			assertThat(confirmed.await(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void noticesCrossNodesWithTheirTargetingAndLoseItOnTheWayOut() throws Exception {
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect();
				ListenerClient bobOnB = ListenerClient.as(port(this.nodeB), BOB).connect()) {
			String notices = "/user/topic/stream-test.notices";
			aliceOnB.subscribe(notices, null);
			bobOnB.subscribe(notices, null);
			awaitSubscribed();

			notifier(this.nodeA).notifyRole("ROLE_MANAGER", "Order", 1, "escalated", Map.of());
			notifier(this.nodeA).broadcast("Order", 1, "maintenance", Map.of());

			assertThat(aliceOnB.nextMessage(TWO_SECONDS).get("action").asString()).isEqualTo("escalated");
			assertThat(aliceOnB.lastHeaders()).doesNotContainKey("nl-role");
			assertThat(aliceOnB.nextMessage(TWO_SECONDS).get("action").asString()).isEqualTo("maintenance");
			assertThat(bobOnB.nextMessage(TWO_SECONDS).get("action").asString())
				.as("bob has no ROLE_MANAGER: only the broadcast")
				.isEqualTo("maintenance");
			assertThat(bobOnB.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void serverSentEventStreamOnOneNodeGetsNotificationsFromAnother() throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(
					URI.create("http://localhost:" + port(this.nodeB) + "/notify-listen/sse/Order/42?events=shipped"))
			.header("Authorization",
					"Basic " + Base64.getEncoder()
						.encodeToString((ALICE + ":password").getBytes(StandardCharsets.UTF_8)))
			.GET()
			.build();
		HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
			.send(request, HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).isEqualTo(200);
		BlockingQueue<String> data = new LinkedBlockingQueue<>();
		Thread reader = new Thread(() -> {
			try {
				response.body().filter((line) -> line.startsWith("data:")).forEach(data::add);
			}
			catch (RuntimeException ex) {
				// closed
			}
		});
		reader.setDaemon(true);
		reader.start();
		try {
			Thread.sleep(1000);
			notifier(this.nodeA).notify("Order", 42, "shipped", Map.of("via", "stream"));
			String event = data.poll(3, TimeUnit.SECONDS);
			assertThat(event).isNotNull().contains("\"via\":\"stream\"");
		}
		finally {
			response.body().close();
		}
	}

	@Test
	void anotherKeyOnTheSameBrokerSeesNothing() throws Exception {
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect();
				ListenerClient aliceOnC = ListenerClient.as(port(this.nodeC), ALICE).connect()) {
			aliceOnB.listen("Order/6/shipped");
			aliceOnC.listen("Order/6/shipped");
			awaitSubscribed();

			notifier(this.nodeA).notify("Order", 6, "shipped");

			assertThat(aliceOnB.nextMessage(TWO_SECONDS)).isNotNull();
			assertThat(aliceOnC.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void notificationsAcceptedWhileTheBrokerIsStoppedReachListenersThatStayedConnected(CapturedOutput output)
			throws Exception {
		int logStart = output.getAll().length();
		List<Integer> delivered = new ArrayList<>();
		try (ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect()) {
			aliceOnB.listen("Order/40/shipped");
			awaitSubscribed();
			notifier(this.nodeA).notify("Order", 40, "shipped", Map.of("sequence", 1));
			collect(aliceOnB, delivered, 1);

			this.broker.stop();
			try {
				await().atMost(Duration.ofSeconds(15)).until(() -> !brokerConnected(this.nodeA));
				for (int sequence = 2; sequence <= 4; sequence++) {
					notifier(this.nodeA).notify("Order", 40, "shipped", Map.of("sequence", sequence));
				}
				assertThat(health(this.nodeA)).as("accepting: stays in the load balancer").isEqualTo(Status.UP);
				assertThat(aliceOnB.isConnected()).as("pages stay connected").isTrue();
			}
			finally {
				this.broker.start();
			}
			for (int sequence = 5; sequence <= 6; sequence++) {
				notifier(this.nodeA).notify("Order", 40, "shipped", Map.of("sequence", sequence));
			}
			for (int i = 0; i < 5; i++) {
				JsonNode message = aliceOnB.nextMessage(Duration.ofSeconds(30));
				assertThat(message).as("message %d of 5 after the outage", i + 1).isNotNull();
				delivered.add(message.get("payload").get("sequence").asInt());
			}
		}
		assertThat(delivered).containsExactly(1, 2, 3, 4, 5, 6);
		// A node may deliver what it reads again a moment before it has logged that it is
		// back.
		String again = "INFO .*Connected to the stream 'notify-listen.stream-test' on [^ ]+ \\(virtual host /\\) again";
		await().atMost(Duration.ofSeconds(10))
			.until(() -> occurrences(output.getAll().substring(logStart), again) >= 2);
		String log = output.getAll().substring(logStart);
		assertThat(occurrences(log, "WARN .*Lost the stream 'notify-listen.stream-test'")).as("one WARN per node")
			.isEqualTo(2);
		assertThat(occurrences(log, again)).as("one INFO per node").isEqualTo(2);
		assertThat(log).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	@Test
	void presenceChurnDuringAnOutageIsRightOnEveryNodeOnceTheBrokerIsBack() throws Exception {
		Presence presenceOnB = this.nodeB.getBean(Presence.class);
		try (ListenerClient aliceOnA = ListenerClient.as(port(this.nodeA), ALICE).connect();
				ListenerClient bobOnA = ListenerClient.as(port(this.nodeA), BOB).connect()) {
			StompSession.Subscription bob = bobOnA.present("Order", "44");
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(memberIds(presenceOnB)).containsExactly(BOB));

			this.broker.stop();
			try {
				await().atMost(Duration.ofSeconds(15)).until(() -> !brokerConnected(this.nodeA));
				for (int churn = 0; churn < 20; churn++) {
					StompSession.Subscription alice = aliceOnA.present("Order", "44");
					Thread.sleep(60);
					alice.unsubscribe();
					Thread.sleep(60);
				}
				aliceOnA.present("Order", "44");
				bob.unsubscribe();
				Thread.sleep(300);
			}
			finally {
				this.broker.start();
			}

			// Each node reads its own records back from the stream too, once its consumer
			// is back.
			Presence presenceOnA = this.nodeA.getBean(Presence.class);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				assertThat(memberIds(presenceOnB)).containsExactly(ALICE);
				assertThat(memberIds(presenceOnA)).containsExactly(ALICE);
			});
			await().atMost(Duration.ofSeconds(15))
				.until(() -> brokerConnected(this.nodeA) && brokerConnected(this.nodeB));
		}
	}

	private static List<String> memberIds(Presence presence) {
		return presence.members("Order", 44).stream().map(PresenceMember::id).toList();
	}

	private static long occurrences(String log, String pattern) {
		return Pattern.compile(pattern).matcher(log).results().count();
	}

	private static boolean brokerConnected(ConfigurableApplicationContext node) {
		return node.getBean(BrokerConnection.class).isConnected();
	}

	private ConfigurableApplicationContext startNode(String name, String key) {
		return new SpringApplicationBuilder(OrdersTestApplication.class)
			.properties("server.port=0", "server.address=127.0.0.1", "test.node-name=" + name,
					"notify-listen.key=" + key, "notify-listen.secret=" + SECRET,
					"notify-listen.stream.host=" + this.broker.host(),
					"notify-listen.stream.port=" + this.broker.port(), "notify-listen.stream.recovery-interval=1s",
					// One database for the nodes, as in production; each node only adds
					// what is missing.
					"spring.datasource.url=jdbc:h2:mem:stream-test;DB_CLOSE_DELAY=-1",
					"spring.jpa.hibernate.ddl-auto=update", "spring.jmx.enabled=false")
			.run();
	}

	private static void collect(ListenerClient client, List<Integer> into, int count) throws Exception {
		for (int i = 0; i < count; i++) {
			JsonNode message = client.nextMessage(TWO_SECONDS);
			assertThat(message).as("message %d of %d", i + 1, count).isNotNull();
			into.add(message.get("payload").get("sequence").asInt());
		}
	}

	private static String userDestination(ListenerClient client) throws Exception {
		return "/user/topic/" + client.settings().get("key").asString() + ".notify";
	}

	@Test
	void messageForAUserReachesTheirConnectionsOnEveryNode() throws Exception {
		try (ListenerClient aliceOnA = ListenerClient.as(port(this.nodeA), ALICE).connect();
				ListenerClient aliceOnB = ListenerClient.as(port(this.nodeB), ALICE).connect()) {
			aliceOnA.subscribe(userDestination(aliceOnA), null);
			aliceOnB.subscribe(userDestination(aliceOnB), null);
			awaitSubscribed();

			notifier(this.nodeB).notifyUser(ALICE, "Order", 7, "assigned", Map.of());

			assertThat(aliceOnA.nextMessage(TWO_SECONDS)).isNotNull();
			assertThat(aliceOnB.nextMessage(TWO_SECONDS)).isNotNull();
		}
	}

	private static Status health(ConfigurableApplicationContext node) {
		return node.getBean("notifyListenBrokerHealthIndicator", HealthIndicator.class).health().getStatus();
	}

	private static Notifier notifier(ConfigurableApplicationContext node) {
		return node.getBean(Notifier.class);
	}

	private static int port(ConfigurableApplicationContext node) {
		return node.getBean(Environment.class).getProperty("local.server.port", Integer.class);
	}

	private static void awaitSubscribed() throws InterruptedException {
		// RabbitMQ binds the subscription's queue asynchronously; a browser has long done
		// so by the time a user acts.
		Thread.sleep(300);
	}

}
