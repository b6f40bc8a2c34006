package io.notifylisten.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;

import static io.notifylisten.benchmark.BenchmarkMain.BASELINE;
import static io.notifylisten.benchmark.BenchmarkMain.DELIVERY_TIMEOUT;
import static io.notifylisten.benchmark.BenchmarkMain.NOTIFY_LISTEN;
import static io.notifylisten.benchmark.BenchmarkMain.f0;
import static io.notifylisten.benchmark.BenchmarkMain.f1;
import static io.notifylisten.benchmark.BenchmarkMain.ratio;
import static io.notifylisten.benchmark.BenchmarkMain.row;

/**
 * Scenario (c): N listeners on a channel each, notified round robin at a fixed rate.
 */
final class ManyChannelsScenario {

	private final BenchmarkMain benchmark;

	ManyChannelsScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	// (c): every listener on a channel of its own; the server notifies each channel once
	// at a steady rate.
	void manyChannels(ServerProcess notifyListen, ServerProcess baseline) throws Exception {
		int n = this.benchmark.maxListeners;
		int rate = this.benchmark.intOption("rate", 1_000);
		line("## (c) Many channels: " + n + " listeners, one channel each, " + rate + " notifications/s");
		line("");
		line("| server | listeners | achieved notify/s | p50 ms | p99 ms | max ms | delivered / expected | lost |");
		line("| --- | --- | --- | --- | --- | --- | --- | --- |");
		Map<String, double[]> results = new LinkedHashMap<>();
		for (ServerProcess server : List.of(notifyListen, baseline)) {
			List<LoadClient.Listener> listeners = new ArrayList<>();
			this.benchmark.openAndAwait(server, n, (i) -> "Item/m" + i + "/changed", listeners);
			DeliveryRecorder recorder = new DeliveryRecorder(n);
			this.benchmark.client.recordInto(recorder);
			double seconds = server.notifyMany("Item", "m", "changed", listeners.size(), rate, listeners.size());
			recorder.awaitCount(listeners.size(), DELIVERY_TIMEOUT);
			Thread.sleep(300);
			DeliveryRecorder.Latency latency = recorder.latency();
			long lost = this.benchmark.lost(server, listeners.size(), recorder.count());
			results.put(server.name(), new double[] { latency.p50(), latency.p99() });
			line(row(server.name(), listeners.size(), f0(listeners.size() / seconds), f1(latency.p50()),
					f1(latency.p99()), f1(latency.max()), recorder.count() + " / " + listeners.size(), lost));
			this.benchmark.closeAll(server, listeners);
		}
		if (results.size() == 2) {
			line("| ratio notify-listen / baseline | | | "
					+ ratio(results.get(NOTIFY_LISTEN)[0], results.get(BASELINE)[0]) + " | "
					+ ratio(results.get(NOTIFY_LISTEN)[1], results.get(BASELINE)[1]) + " | | | |");
		}
		line("");
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
