package io.notifylisten.benchmark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;
import io.notifylisten.notify.Notifier;
import org.postgresql.ds.PGPoolingDataSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Notifications per second through {@code notify} inside transactions on PostgreSQL,
 * without and with the transactional outbox, in one run. Each transaction updates one
 * row, as the change an application notifies about would, and notifies once; one thread,
 * after a warm-up, best of three passes that alternate between a node without and one
 * with the outbox. The in-memory log is always measured; the RabbitMQ stream too where a
 * broker answers on 127.0.0.1:5552 (run it under
 * {@code flock /tmp/notify-listen-broker.lock}). The application is the benchmark's
 * notify-listen server, in this JVM. Run it by hand (BENCHMARKS.md); it prints a table
 * and stops by itself.
 *
 * <p>
 * Arguments: {@code [transactions=2000] [jdbc-url] [user] [password]}; the database
 * defaults to the one {@code .ci/postgres start} brings up.
 */
public final class OutboxBenchmark {

	private static final String SCHEMA = "outbox_benchmark";

	private static final int PASSES = 3;

	private static DataSource dataSource;

	private OutboxBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		// One string from -Dbenchmark.args, or separate arguments.
		args = String.join(" ", args).trim().split("\\s+");
		int transactions = (args.length > 0 && !args[0].isEmpty()) ? Integer.parseInt(args[0]) : 2000;
		String url = (args.length > 1) ? args[1] : "jdbc:postgresql://127.0.0.1:5433/notify_listen";
		String user = (args.length > 2) ? args[2] : "notify_listen";
		String password = (args.length > 3) ? args[3] : "notify_listen";
		PGPoolingDataSource pool = new PGPoolingDataSource();
		pool.setURL(url);
		pool.setUser(user);
		pool.setPassword(password);
		pool.setCurrentSchema(SCHEMA);
		pool.setDataSourceName("outbox-benchmark");
		pool.setMaxConnections(4);
		dataSource = pool;
		try {
			JdbcTemplate jdbc = new JdbcTemplate(pool);
			jdbc.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
			jdbc.execute("CREATE SCHEMA " + SCHEMA);
			jdbc.execute("CREATE TABLE " + SCHEMA + ".bench_item (id BIGINT PRIMARY KEY, version BIGINT NOT NULL)");
			jdbc.execute("INSERT INTO " + SCHEMA + ".bench_item VALUES (1, 0)");
			List<String> logs = new ArrayList<>(List.of("in-memory"));
			if (brokerAnswers()) {
				logs.add("stream");
			}
			System.out.printf(Locale.ROOT, "%d transactions per measurement on %s, one thread, best of %d%n",
					transactions, url, PASSES);
			System.out.printf("%-10s %-8s %16s %14s%n", "log", "outbox", "notifications/s", "ms/transaction");
			for (String log : logs) {
				try (ConfigurableApplicationContext without = node(log, false);
						ConfigurableApplicationContext with = node(log, true)) {
					double bestWithout = 0;
					double bestWith = 0;
					// Alternated, so that a slower moment of a shared machine does not
					// fall on one side only.
					for (int pass = 0; pass < PASSES; pass++) {
						bestWithout = Math.max(bestWithout, measure(without, transactions));
						bestWith = Math.max(bestWith, measure(with, transactions));
					}
					print(log, "off", bestWithout);
					print(log, "on", bestWith);
					System.out.printf(Locale.ROOT, "%-10s with/without: %.2f%n", log, bestWith / bestWithout);
				}
			}
		}
		finally {
			pool.close();
		}
	}

	private static ConfigurableApplicationContext node(String log, boolean outbox) {
		List<String> properties = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
				"notify-listen.key=bench", "notify-listen.secret=0123456789abcdef0123456789abcdef",
				"notify-listen.outbox.enabled=" + outbox, "notify-listen.outbox.jdbc.initialize-schema=always",
				"logging.level.root=WARN", "spring.main.banner-mode=off", "spring.jmx.enabled=false"));
		if (log.equals("stream")) {
			properties
				.addAll(List.of("notify-listen.stream.host=127.0.0.1", "notify-listen.stream.name=outbox-benchmark"));
		}
		return new SpringApplicationBuilder(NotifyListenBenchmarkServer.class, Database.class)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	// Notifications per second over {@code transactions} transactions, after a quarter as
	// many to warm up.
	private static double measure(ConfigurableApplicationContext context, int transactions) {
		Notifier notifier = context.getBean(Notifier.class);
		TransactionTemplate transactionTemplate = context.getBean(TransactionTemplate.class);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Runnable change = () -> transactionTemplate.executeWithoutResult((status) -> {
			jdbc.update("UPDATE bench_item SET version = version + 1 WHERE id = 1");
			notifier.notify("Item", 1, "changed", Map.of("by", "benchmark"));
		});
		for (int i = 0; i < transactions / 4; i++) {
			change.run();
		}
		long start = System.nanoTime();
		for (int i = 0; i < transactions; i++) {
			change.run();
		}
		return transactions / ((System.nanoTime() - start) / 1e9);
	}

	private static void print(String log, String outbox, double perSecond) {
		System.out.printf(Locale.ROOT, "%-10s %-8s %16.0f %14.3f%n", log, outbox, perSecond, 1000 / perSecond);
	}

	static boolean brokerAnswers() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", 5552), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Database {

		// Shared by every measurement's context: closed once, by main.
		@Bean(destroyMethod = "")
		DataSource dataSource() {
			return dataSource;
		}

	}

}
