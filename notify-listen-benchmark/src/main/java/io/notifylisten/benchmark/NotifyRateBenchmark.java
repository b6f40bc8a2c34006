package io.notifylisten.benchmark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import com.rabbitmq.stream.Environment;
import com.rabbitmq.stream.Producer;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;
import io.notifylisten.internal.log.BrokerConnection;
import io.notifylisten.notify.Notifier;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Notifications per second that one thread reaches with nobody listening, on one node
 * (in-memory log) and on a node of several (RabbitMQ stream on 127.0.0.1:5552, skipped
 * with a note when nothing answers; run it under
 * {@code flock /tmp/notify-listen-broker.lock}), in one run: each path after a warm-up,
 * best of three passes; a pass ends once the node's outbox is empty. Paths:
 * {@code notify} one at a time, {@code notifyEach} with 1,000 ids a call, 1,000
 * {@code notify} calls in one transaction, and on the stream {@code notify} one at a time
 * on a node set not to await confirmations. The application is the benchmark's
 * notify-listen server, in this JVM. Run it by hand (BENCHMARKS.md); it prints a table
 * and stops by itself.
 *
 * <p>
 * Arguments: {@code [notifications=5000]}.
 */
public final class NotifyRateBenchmark {

	private static final int PASSES = 3;

	/** Notifications per {@code notifyEach} call and per transaction. */
	private static final int BULK = 1000;

	/** About a signed record of one notification on the stream. */
	private static final int BARE_RECORD_BYTES = 300;

	private static final String BARE_STREAM = "notify-rate-benchmark-floor";

	private NotifyRateBenchmark() {
	}

	public static void main(String[] args) {
		// One string from -Dbenchmark.args, or separate arguments.
		args = String.join(" ", args).trim().split("\\s+");
		int notifications = (args.length > 0 && !args[0].isEmpty()) ? Integer.parseInt(args[0]) : 5000;
		List<String> logs = new ArrayList<>(List.of("in-memory"));
		if (OutboxBenchmark.brokerAnswers()) {
			logs.add("stream");
		}
		else {
			System.out.println("Nothing answers on 127.0.0.1:5552: the stream is not measured");
		}
		System.out.printf(Locale.ROOT, "%d notifications per measurement, one thread, nobody listening, best of %d%n",
				notifications, PASSES);
		System.out.printf("%-10s %-50s %16s %10s%n", "log", "path", "notifications/s", "µs each");
		for (String log : logs) {
			try (ConfigurableApplicationContext node = node(log)) {
				awaitConnected(node);
				Notifier notifier = node.getBean(Notifier.class);
				TransactionTemplate transactions = new TransactionTemplate(new NoResourceTransactionManager());
				measure(node, log, "notify, one at a time", notifications, (count) -> {
					for (int i = 0; i < count; i++) {
						notifier.notify("Item", i, "changed");
					}
				});
				measure(node, log, "notifyEach, " + BULK + " a call", notifications, (count) -> {
					for (int i = 0; i < count; i += BULK) {
						notifier.notifyEach("Item", ids(i, Math.min(BULK, count - i)), "changed");
					}
				});
				measure(node, log, "notify, " + BULK + " a transaction", notifications, (count) -> {
					for (int i = 0; i < count; i += BULK) {
						int first = i;
						transactions.executeWithoutResult((status) -> {
							for (int n = first; n < Math.min(first + BULK, count); n++) {
								notifier.notify("Item", n, "changed");
							}
						});
					}
				});
			}
			if (log.equals("stream")) {
				measureBareClient(notifications);
				try (ConfigurableApplicationContext node = node(log, "notify-listen.stream.await-confirmation=false")) {
					awaitConnected(node);
					Notifier notifier = node.getBean(Notifier.class);
					measure(node, log, "notify, await-confirmation=false", notifications, (count) -> {
						for (int i = 0; i < count; i++) {
							notifier.notify("Item", i, "changed");
						}
					});
				}
			}
		}
	}

	// A pass ends once the node's outbox is empty: what was accepted but not yet
	// published counts in the time.
	private static void measure(ConfigurableApplicationContext node, String log, String path, int notifications,
			IntConsumer pass) {
		bestOf(log, path, notifications, (count) -> {
			pass.accept(count);
			awaitPublished(node);
		});
	}

	// The floor under every stream path: RabbitMQ's stream client alone, no Spring, no
	// outbox, records of a notification's size, one send awaited at a time and 1,000 sent
	// before their confirmations are awaited.
	private static void measureBareClient(int notifications) {
		byte[] body = new byte[BARE_RECORD_BYTES];
		Arrays.fill(body, (byte) 'x');
		try (Environment environment = Environment.builder()
			.host("127.0.0.1")
			.port(BenchmarkMain.STREAM_PORT)
			.build()) {
			environment.streamCreator().stream(BARE_STREAM).create();
			try {
				Producer producer = environment.producerBuilder().stream(BARE_STREAM).build();
				bestOf("stream", "floor: stream client alone, one awaited at a time", notifications, (count) -> {
					for (int i = 0; i < count; i++) {
						sendAndAwait(producer, body, 1);
					}
				});
				bestOf("stream", "floor: stream client alone, " + BULK + " then awaited", notifications, (count) -> {
					for (int i = 0; i < count; i += BULK) {
						sendAndAwait(producer, body, Math.min(BULK, count - i));
					}
				});
				producer.close();
			}
			finally {
				environment.deleteStream(BARE_STREAM);
			}
		}
	}

	private static void sendAndAwait(Producer producer, byte[] body, int count) {
		CountDownLatch confirmed = new CountDownLatch(count);
		for (int i = 0; i < count; i++) {
			producer.send(producer.messageBuilder().addData(body).build(), (status) -> {
				if (!status.isConfirmed()) {
					throw new IllegalStateException("Not confirmed: " + status.getCode());
				}
				confirmed.countDown();
			});
		}
		try {
			if (!confirmed.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("No confirmation from the broker within 30 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	// A warm-up pass of a quarter, then the best of the passes measured.
	private static void bestOf(String log, String path, int notifications, IntConsumer pass) {
		pass.accept(notifications / 4);
		double best = 0;
		for (int i = 0; i < PASSES; i++) {
			long start = System.nanoTime();
			pass.accept(notifications);
			best = Math.max(best, notifications / ((System.nanoTime() - start) / 1e9));
		}
		System.out.printf(Locale.ROOT, "%-10s %-50s %16.0f %10.1f%n", log, path, best, 1e6 / best);
	}

	private static List<Integer> ids(int first, int count) {
		return IntStream.range(first, first + count).boxed().toList();
	}

	private static ConfigurableApplicationContext node(String log, String... extra) {
		List<String> properties = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
				"notify-listen.key=bench", "notify-listen.secret=0123456789abcdef0123456789abcdef",
				"spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
				"logging.level.root=WARN", "spring.main.banner-mode=off", "spring.jmx.enabled=false"));
		if (log.equals("stream")) {
			properties.addAll(
					List.of("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.name=notify-rate-benchmark"));
		}
		properties.addAll(List.of(extra));
		return new SpringApplicationBuilder(NotifyListenBenchmarkServer.class)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	// Until connected, a node holds what it is notified without waiting for the broker:
	// that would measure the outbox, not the stream.
	private static void awaitConnected(ConfigurableApplicationContext node) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		for (BrokerConnection connection : node.getBeansOfType(BrokerConnection.class).values()) {
			while (!connection.isConnected()) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("Not connected to the " + connection.describe() + " after 30 s");
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
			}
		}
	}

	// At most a minute: a broker that stops answering ends the run rather than hanging
	// it.
	private static void awaitPublished(ConfigurableApplicationContext node) {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
		for (BrokerConnection connection : node.getBeansOfType(BrokerConnection.class).values()) {
			while (connection.waiting() > 0) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(connection.waiting() + " notifications still wait for the "
							+ connection.describe() + " after a minute");
				}
				LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
			}
		}
	}

	/**
	 * Transactions with nothing to commit: what is measured is what notify does after.
	 */
	static final class NoResourceTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
