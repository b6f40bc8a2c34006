package io.notifylisten.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;

import static io.notifylisten.benchmark.BenchmarkMain.DELIVERY_TIMEOUT;
import static io.notifylisten.benchmark.BenchmarkMain.row;

/**
 * Scenario (j): a burst (a bulk job touching many orders) to N listeners to every Item,
 * each page pausing its reads while the burst goes out, as a busy tab does, on a server
 * without conflation and on one with it (its default), in one run. Counted: messages the
 * pages received and those the server folded into them, the handler calls a page with
 * {@code listen(..., { throttle })} would make, the pages cut off, and the server's CPU.
 */
final class BurstScenario {

	/**
	 * The pages' socket receive buffer: a slow page's backlog reaches the server soon.
	 */
	private static final int RECEIVE_BUFFER = 4096;

	private static final Duration QUIET = Duration.ofSeconds(1);

	private final BenchmarkMain benchmark;

	BurstScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	void run(String heap) throws Exception {
		int n = Math.min(this.benchmark.maxListeners, this.benchmark.intOption("burst-listeners", 1_000));
		int notifications = this.benchmark.intOption("burst-notifies", 1_000);
		int payload = this.benchmark.intOption("burst-payload", 1_000);
		int pause = this.benchmark.intOption("burst-pause-ms", 2_000);
		int throttle = this.benchmark.intOption("throttle", 250);
		List<Integer> orderCounts = this.benchmark.list("burst-orders").isEmpty() ? List.of(1_000, 10)
				: this.benchmark.list("burst-orders").stream().map(Integer::valueOf).toList();
		line("## (j) Burst: " + notifications + " notifications to " + n + " listeners to every Item");
		line("");
		line("Back to back, round robin over the orders, each with a payload of " + payload + " bytes; every page "
				+ "stops reading for " + pause + " ms as the burst starts (socket receive buffer " + RECEIVE_BUFFER
				+ " bytes). Conflation off is `limits.conflation-threshold` at the send buffer limit (512KB). "
				+ "'Handler calls' is what `listen(..., { throttle: " + throttle + " })` would run on the pages "
				+ "(without it: one per message received). Server CPU: user + system over the burst.");
		line("");
		line("| conflation | orders | listeners | messages received | folded into them | handler calls (throttle) "
				+ "| pages cut off | server conflated / dropped | server CPU s |");
		line("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
		for (boolean conflation : new boolean[] { false, true }) {
			List<String> properties = this.benchmark.notifyListenProperties(false);
			properties.add("--bench.payload-bytes=" + payload);
			if (!conflation) {
				properties.add("--notify-listen.limits.conflation-threshold=512KB");
			}
			try (ServerProcess server = this.benchmark.start(
					BenchmarkMain.NOTIFY_LISTEN + "-burst-conflation-" + (conflation ? "on" : "off"),
					NotifyListenBenchmarkServer.class, true, heap, properties)) {
				this.benchmark.warmUp(server);
				for (int orders : orderCounts) {
					measure(server, conflation, orders, n, notifications, pause, throttle);
				}
			}
		}
		line("");
	}

	private void measure(ServerProcess server, boolean conflation, int orders, int n, int notifications, int pause,
			int throttle) throws Exception {
		LoadClient client = this.benchmark.client;
		List<LoadClient.Listener> listeners = new ArrayList<>();
		client.receiveBuffer(RECEIVE_BUFFER);
		try {
			this.benchmark.openAndAwait(server, n, (i) -> "Item/*/changed", listeners);
		}
		finally {
			client.receiveBuffer(0);
		}
		DeliveryRecorder recorder = new DeliveryRecorder(n * notifications);
		client.recordInto(recorder);
		client.throttle(Duration.ofMillis(throttle));
		int closesBefore = client.unexpectedCloses();
		ServerProcess.Stats before = server.stats(false);
		long cpuBefore = ServerProcess.cpuNanos(server.pid())[0];
		listeners.forEach(LoadClient.Listener::pauseReading);
		server.notifyMany("Item", "b", "changed", orders, 1_000_000, notifications);
		Thread.sleep(pause);
		listeners.forEach(LoadClient.Listener::resumeReading);
		awaitQuiet(recorder);
		long cpu = ServerProcess.cpuNanos(server.pid())[0] - cpuBefore;
		client.flushThrottles(listeners);
		client.throttle(Duration.ZERO);
		ServerProcess.Stats after = server.stats(false);
		int cutOff = client.unexpectedCloses() - closesBefore;
		line(row(conflation ? "on" : "off", orders, listeners.size(), recorder.count(), recorder.folded(),
				recorder.handlerCalls(), cutOff,
				(after.conflated() - before.conflated()) + " / " + (after.dropped() - before.dropped()),
				String.format(java.util.Locale.ROOT, "%.2f", cpu / 1e9)));
		this.benchmark.closeAll(server, listeners);
	}

	// Folding and cut-off pages make the count unknown in advance: done once nothing
	// arrived for a while.
	private static void awaitQuiet(DeliveryRecorder recorder) throws InterruptedException {
		long deadline = System.nanoTime() + DELIVERY_TIMEOUT.toNanos();
		int seen = -1;
		while (System.nanoTime() < deadline && recorder.count() != seen) {
			seen = recorder.count();
			Thread.sleep(QUIET.toMillis());
		}
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
