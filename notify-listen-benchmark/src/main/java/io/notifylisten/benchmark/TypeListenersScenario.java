package io.notifylisten.benchmark;

import java.util.ArrayList;
import java.util.List;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;

import static io.notifylisten.benchmark.BenchmarkMain.DELIVERY_TIMEOUT;
import static io.notifylisten.benchmark.BenchmarkMain.f0;
import static io.notifylisten.benchmark.BenchmarkMain.f1;
import static io.notifylisten.benchmark.BenchmarkMain.ratio;
import static io.notifylisten.benchmark.BenchmarkMain.row;

/**
 * Scenario (i): N listeners to every Order ({@code listen('Order', ...)}), each user
 * allowed to read one order in ten, against N listeners on one order, on one server in
 * one run. Each notification to a type is checked for every type listener (the access
 * check runs per delivery), and reaches a tenth of them.
 */
final class TypeListenersScenario {

	private final BenchmarkMain benchmark;

	TypeListenersScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	void run(String heap) throws Exception {
		// A multiple of ten: exactly a tenth of the users may read each order.
		int n = Math.max(10,
				Math.min(this.benchmark.maxListeners, this.benchmark.intOption("type-listeners", 1_000)) / 10 * 10);
		int notifications = this.benchmark.intOption("type-notifies", 200);
		line("## (i) Type listeners: " + n + " listeners to every Order, 10% may read each order, against " + n
				+ " listeners on one order");
		line("");
		line(notifications + " notifications back to back: to the type, each to another order; to the one order, "
				+ "all to it. Deliveries/s over the time to the last receipt; server CPU (user + system, 10 ms ticks) "
				+ "over the same span, per notification and per delivery.");
		line("");
		line("| listeners on | listeners | notifications | delivered / expected | deliveries/s "
				+ "| server CPU ms / notification | server CPU µs / delivery |");
		line("| --- | --- | --- | --- | --- | --- | --- |");
		try (ServerProcess server = this.benchmark.start(BenchmarkMain.NOTIFY_LISTEN + "-types",
				NotifyListenBenchmarkServer.class, true, heap, this.benchmark.notifyListenProperties(false))) {
			this.benchmark.warmUp(server);
			double[] type = measure(server, "Order/*/refresh", n, notifications, (long) notifications * n / 10,
					"every Order");
			double[] one = measure(server, "Order/one/refresh", n, notifications, (long) notifications * n,
					"Order one");
			line("| ratio type / one object | | | | " + ratio(type[0], one[0]) + " | " + ratio(type[1], one[1]) + " | "
					+ ratio(type[2], one[2]) + " |");
		}
		line("");
	}

	// Returns deliveries/s, CPU ms per notification and CPU µs per delivery.
	private double[] measure(ServerProcess server, String channel, int n, int notifications, long expected,
			String label) throws Exception {
		List<LoadClient.Listener> listeners = new ArrayList<>();
		this.benchmark.openAndAwait(server, n, (i) -> channel, listeners);
		DeliveryRecorder recorder = new DeliveryRecorder((int) expected);
		this.benchmark.client.recordInto(recorder);
		long cpuBefore = ServerProcess.cpuNanos(server.pid())[0];
		long start = System.nanoTime();
		String[] parts = channel.split("/");
		if (parts[1].equals("*")) {
			server.notifyMany(parts[0], "o", parts[2], notifications, 1_000_000, notifications);
		}
		else {
			server.notify(parts[0], parts[1], parts[2], notifications);
		}
		recorder.awaitCount(expected, DELIVERY_TIMEOUT);
		long elapsed = Math.max(1, recorder.lastNanos() - start);
		long cpu = ServerProcess.cpuNanos(server.pid())[0] - cpuBefore;
		Thread.sleep(300);
		long delivered = recorder.count();
		this.benchmark.lost(server, expected, delivered);
		double perSecond = delivered / (elapsed / 1e9);
		double msPerNotification = cpu / 1e6 / notifications;
		double usPerDelivery = cpu / 1e3 / Math.max(1, delivered);
		line(row(label, listeners.size(), notifications, delivered + " / " + expected, f0(perSecond),
				String.format(java.util.Locale.ROOT, "%.2f", msPerNotification), f1(usPerDelivery)));
		this.benchmark.closeAll(server, listeners);
		return new double[] { perSecond, msPerNotification, usPerDelivery };
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
