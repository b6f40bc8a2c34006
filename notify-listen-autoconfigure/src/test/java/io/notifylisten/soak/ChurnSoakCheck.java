package io.notifylisten.soak;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.notifylisten.ListenerClient;
import io.notifylisten.connection.ConnectionRegistry;
import io.notifylisten.connection.WebSocketSessions;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.OrdersTestApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.messaging.simp.user.SimpUserRegistry;

/**
 * Connect/disconnect churn against a real server for a bounded time, printing open sessions,
 * connections, subscriptions and heap after GC once per interval: a leak shows as numbers that
 * keep climbing. Not a test: run it by hand (see README), it stops by itself.
 *
 * <p>Arguments: {@code [minutes=3] [clientsPerRound=20]}.
 */
public final class ChurnSoakCheck {

	private ChurnSoakCheck() {
	}

	public static void main(String[] args) throws Exception {
		Duration runFor = Duration.ofMinutes((args.length > 0) ? Long.parseLong(args[0]) : 3);
		int clientsPerRound = (args.length > 1) ? Integer.parseInt(args[1]) : 20;
		Duration sampleEvery = Duration.ofSeconds(Math.max(10, runFor.toSeconds() / 6));
		try (ConfigurableApplicationContext server = new SpringApplicationBuilder(OrdersTestApplication.class)
			.properties("server.port=0", "server.address=127.0.0.1", "notify-listen.key=soak",
					"notify-listen.secret=0123456789abcdef0123456789abcdef",
					"notify-listen.limits.max-connections-per-user=1000", "logging.level.root=WARN",
					"spring.main.banner-mode=off")
			.run()) {
			int port = server.getBean(Environment.class).getProperty("local.server.port", Integer.class);
			Notifier notifier = server.getBean(Notifier.class);
			System.out.printf("%8s %7s %9s %9s %9s %11s %13s %12s%n", "elapsed", "rounds", "connects", "received",
					"sessions", "connections", "subscriptions", "heap-MB(gc)");
			long start = System.nanoTime();
			long nextSample = 0;
			long rounds = 0;
			long connects = 0;
			long received = 0;
			List<Double> heap = new ArrayList<>();
			while (System.nanoTime() - start < runFor.toNanos()) {
				List<ListenerClient> clients = new ArrayList<>();
				for (int i = 0; i < clientsPerRound; i++) {
					ListenerClient client = ListenerClient.as(port, (i % 2 == 0) ? OrdersTestApplication.ALICE
							: OrdersTestApplication.BOB).connect();
					client.listen("Order/" + (1000 + i % 5) + "/shipped");
					client.listen("Order/2000/shipped");
					clients.add(client);
					connects++;
				}
				Thread.sleep(100);
				notifier.notify("Order", 2000, "shipped");
				for (ListenerClient client : clients) {
					if (client.nextMessage(Duration.ofSeconds(2)) != null) {
						received++;
					}
					client.close();
				}
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
			long openSessions = server.getBean(WebSocketSessions.class).size();
			int openConnections = server.getBean(ConnectionRegistry.class).connections().size();
			int subscriptions = server.getBean(SimpUserRegistry.class).findSubscriptions((s) -> true).size();
			double growth = heap.get(heap.size() - 1) - heap.get(Math.min(1, heap.size() - 1));
			boolean leakFree = openSessions == 0 && openConnections == 0 && subscriptions == 0
					&& received == connects && growth < 16;
			System.out.printf("%nafter %d connects: %d sessions, %d connections, %d subscriptions left open; "
					+ "%d of %d notifications received; heap after GC changed by %.1f MB since the first "
					+ "warm sample: %s%n", connects, openSessions, openConnections, subscriptions, received, connects,
					growth, leakFree ? "NO LEAK" : "CHECK");
			System.exit(leakFree ? 0 : 1);
		}
	}

	private static double sample(ConfigurableApplicationContext server, long elapsedNanos, long rounds, long connects,
			long received) {
		System.gc();
		double heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
		System.out.printf("%7ds %7d %9d %9d %9d %11d %13d %12.1f%n", Duration.ofNanos(elapsedNanos).toSeconds(),
				rounds, connects, received, server.getBean(WebSocketSessions.class).size(),
				server.getBean(ConnectionRegistry.class).connections().size(),
				server.getBean(SimpUserRegistry.class).findSubscriptions((s) -> true).size(), heapMb);
		return heapMb;
	}

}
