package io.notifylisten.benchmark;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.transport.OutboundTransport;
import io.notifylisten.notify.Notifier;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.messaging.simp.user.SimpUserRegistry;

/**
 * Connect/disconnect churn against the benchmark's notify-listen server, in this JVM, for
 * a bounded time, printing open sessions, connections, subscriptions and heap after GC
 * once per interval: a leak shows as numbers that keep climbing. Each client does what a
 * browser does (login, key, CONNECT, signature, SUBSCRIBE) through the benchmark's
 * {@link LoadClient}. Run it by hand (docs/security.md); it stops by itself, with exit
 * code 0 when nothing was left open and nothing was lost.
 *
 * <p>
 * Arguments: {@code [minutes=3] [clientsPerRound=20]}.
 */
public final class ChurnSoakCheck {

	private ChurnSoakCheck() {
	}

	public static void main(String[] args) throws Exception {
		// One string from -Dbenchmark.args, or separate arguments.
		args = String.join(" ", args).trim().split("\\s+");
		if (args.length == 1 && args[0].isEmpty()) {
			args = new String[0];
		}
		Duration runFor = Duration.ofMinutes((args.length > 0) ? Long.parseLong(args[0]) : 3);
		int clientsPerRound = (args.length > 1) ? Integer.parseInt(args[1]) : 20;
		Duration sampleEvery = Duration.ofSeconds(Math.max(10, runFor.toSeconds() / 6));
		boolean leakFree;
		try (ConfigurableApplicationContext server = new SpringApplicationBuilder(NotifyListenBenchmarkServer.class)
			.properties("server.port=0", "server.address=127.0.0.1", "notify-listen.key=bench",
					"notify-listen.secret=0123456789abcdef0123456789abcdef", "logging.level.root=WARN",
					"spring.main.banner-mode=off")
			.run(); LoadClient client = new LoadClient()) {
			int port = server.getBean(Environment.class).getProperty("local.server.port", Integer.class);
			LoadClient.Target target = new LoadClient.Target("http://127.0.0.1:" + port, true, "/ws",
					"/topic/bench.{entity}.{id}.{action}", NotifyListenBenchmarkServer.USER_PREFIX);
			Notifier notifier = server.getBean(Notifier.class);
			System.out.printf("%8s %7s %9s %9s %9s %11s %13s %12s%n", "elapsed", "rounds", "connects", "received",
					"sessions", "connections", "subscriptions", "heap-MB(gc)");
			long start = System.nanoTime();
			long nextSample = 0;
			long rounds = 0;
			long connects = 0;
			long received = 0;
			long expected = 0;
			List<Double> heap = new ArrayList<>();
			while (System.nanoTime() - start < runFor.toNanos()) {
				DeliveryRecorder recorder = new DeliveryRecorder(clientsPerRound);
				client.recordInto(recorder);
				List<LoadClient.Listener> listeners = client.open(target, clientsPerRound, (i) -> "Item/2000/changed");
				connects += listeners.size();
				expected += listeners.size();
				Thread.sleep(200);
				notifier.notify("Item", 2000, "changed");
				recorder.awaitCount(listeners.size(), Duration.ofSeconds(5));
				received += recorder.count();
				client.close(listeners);
				rounds++;
				long elapsed = System.nanoTime() - start;
				if (elapsed >= nextSample) {
					nextSample = elapsed + sampleEvery.toNanos();
					Thread.sleep(500);
					heap.add(sample(server, elapsed, rounds, connects, received));
				}
			}
			Thread.sleep(2000);
			heap.add(sample(server, System.nanoTime() - start, rounds, connects, received));
			long openSessions = server.getBean(OutboundTransport.class).openSessions();
			int openConnections = server.getBean(ConnectionRegistry.class).connections().size();
			int subscriptions = server.getBean(SimpUserRegistry.class).findSubscriptions((s) -> true).size();
			double growth = heap.get(heap.size() - 1) - heap.get(Math.min(1, heap.size() - 1));
			leakFree = openSessions == 0 && openConnections == 0 && subscriptions == 0 && received == expected
					&& growth < 16;
			System.out.printf(
					"%nafter %d connects: %d sessions, %d connections, %d subscriptions left open; "
							+ "%d of %d notifications received; heap after GC changed by %.1f MB since the first "
							+ "warm sample: %s%n",
					connects, openSessions, openConnections, subscriptions, received, expected, growth,
					leakFree ? "NO LEAK" : "CHECK");
		}
		System.exit(leakFree ? 0 : 1);
	}

	private static double sample(ConfigurableApplicationContext server, long elapsedNanos, long rounds, long connects,
			long received) {
		System.gc();
		double heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
		System.out.printf("%7ds %7d %9d %9d %9d %11d %13d %12.1f%n", Duration.ofNanos(elapsedNanos).toSeconds(), rounds,
				connects, received, server.getBean(OutboundTransport.class).openSessions(),
				server.getBean(ConnectionRegistry.class).connections().size(),
				server.getBean(SimpUserRegistry.class).findSubscriptions((s) -> true).size(), heapMb);
		return heapMb;
	}

}
