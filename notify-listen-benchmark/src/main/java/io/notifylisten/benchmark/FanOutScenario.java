package io.notifylisten.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import io.notifylisten.benchmark.BenchmarkMain.FanoutResult;
import io.notifylisten.benchmark.client.LoadClient;

import static io.notifylisten.benchmark.BenchmarkMain.BASELINE;
import static io.notifylisten.benchmark.BenchmarkMain.NOTIFY_LISTEN;
import static io.notifylisten.benchmark.BenchmarkMain.f0;
import static io.notifylisten.benchmark.BenchmarkMain.f1;
import static io.notifylisten.benchmark.BenchmarkMain.met;
import static io.notifylisten.benchmark.BenchmarkMain.ratio;
import static io.notifylisten.benchmark.BenchmarkMain.ratioRow;
import static io.notifylisten.benchmark.BenchmarkMain.row;

/**
 * Scenarios (a) and (b): one set of listeners on one channel grows through the sizes; at
 * each, heap and RSS with every listener idle, then the fan-out of single notifications
 * and of a burst, notify-listen against the baseline.
 */
final class FanOutScenario {

	private final BenchmarkMain benchmark;

	FanOutScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	// (a) and (b): one set of listeners on one channel grows through the sizes; at each,
	// heap and RSS are read after GC with every listener idle, then the channel is
	// notified.
	void idleAndFanout(ServerProcess notifyListen, ServerProcess baseline, boolean fanout) throws Exception {
		TreeSet<Integer> sizes = new TreeSet<>();
		for (int size : new int[] { 1_000, 5_000, 10_000 }) {
			if (size <= this.benchmark.maxListeners) {
				sizes.add(size);
			}
		}
		sizes.add(this.benchmark.maxListeners);
		List<String> idleRows = new ArrayList<>();
		List<String> fanoutRows = new ArrayList<>();
		Map<String, Map<Integer, double[]>> idle = new LinkedHashMap<>();
		Map<String, Map<Integer, FanoutResult>> fanouts = new LinkedHashMap<>();
		for (ServerProcess server : List.of(notifyListen, baseline)) {
			ServerProcess.Stats before = server.stats(true);
			List<LoadClient.Listener> listeners = new ArrayList<>();
			for (int size : sizes) {
				int opened = this.benchmark.openAndAwait(server, size - listeners.size(), (i) -> "Item/1/changed",
						listeners);
				if (size == 1_000 || size == 10_000 || size == this.benchmark.maxListeners) {
					ServerProcess.Stats after = server.stats(true);
					double heapKiB = (after.heapUsed() - before.heapUsed()) / 1024.0 / size;
					double rssKiB = (after.rss() - before.rss()) / 1024.0 / size;
					idle.computeIfAbsent(server.name(), (name) -> new LinkedHashMap<>())
						.put(size, new double[] { heapKiB, rssKiB, after.connections() });
					if (size == this.benchmark.maxListeners && this.benchmark.options.containsKey("histogram")) {
						server.writeHistogram(this.benchmark.logs);
					}
					idleRows.add(row(server.name(), size, listeners.size() + " (" + after.connections() + " on server)",
							f1(heapKiB), f1(rssKiB)));
				}
				if (fanout) {
					FanoutResult result = this.benchmark.measureFanout(server, "Item", "1", "changed",
							listeners.size());
					fanouts.computeIfAbsent(server.name(), (name) -> new LinkedHashMap<>()).put(size, result);
					fanoutRows.add(result.row(server.name(), size));
				}
				if (opened < size) {
					break;
				}
			}
			this.benchmark.closeAll(server, listeners);
		}
		line("## (a) Idle connections: server memory per connection");
		line("");
		line("Each listener connected and subscribed, then idle; heap after two System.gc(), RSS from /proc. "
				+ "notify-listen's figure includes the HTTP session and CSRF token each listener's login created.");
		line("");
		line("| server | listeners | open | heap KiB/conn | RSS KiB/conn |");
		line("| --- | --- | --- | --- | --- |");
		idleRows.forEach(this::line);
		for (Integer size : idle.getOrDefault(NOTIFY_LISTEN, Map.of()).keySet()) {
			double[] nl = idle.get(NOTIFY_LISTEN).get(size);
			double[] base = idle.getOrDefault(BASELINE, Map.of()).get(size);
			if (base != null) {
				line("| ratio notify-listen / baseline | " + size + " | | " + ratio(nl[0], base[0]) + " | "
						+ ratio(nl[1], base[1]) + " |");
			}
		}
		line("");
		int largestIdle = idle.getOrDefault(NOTIFY_LISTEN, Map.of()).keySet().stream().max(Integer::compare).orElse(0);
		if (largestIdle > 0) {
			double[] measured = idle.get(NOTIFY_LISTEN).get(largestIdle);
			double heapKiB = measured[0];
			// Listeners the server closed (an idle timeout, say) would make the heap look
			// small.
			this.benchmark.targets.add(() -> "<= 20 KiB heap per idle connection: " + ((measured[2] < largestIdle)
					? "**not measured** (the server held " + (int) measured[2] + " of " + largestIdle + " listeners)"
					: met(heapKiB <= 20) + " (" + f1(heapKiB) + " KiB at " + largestIdle + " listeners)"));
		}
		if (!fanout) {
			return;
		}
		line("## (b) Fan-out: one channel to N listeners");
		line("");
		line("Latency: " + this.benchmark.intOption("latency-notifies", 5)
				+ " single notifications, each awaited by all N, "
				+ "notify (`changedAt`) to receipt by the client. Deliveries/s: a burst of "
				+ this.benchmark.intOption("burst", 20)
				+ " notifications back to back, N x burst deliveries over the time to the last receipt. "
				+ "CPU: user and system time of the server's and of the load generator's process over the "
				+ "whole measurement, per message delivered, the kernel's part (socket reads and writes) in parentheses "
				+ "(10 ms ticks; steadier than wall times here).");
		line("");
		line(FanoutResult.HEADER);
		line(FanoutResult.SEPARATOR);
		fanoutRows.forEach(this::line);
		fanoutRatios(fanouts);
		line("");
		Map<Integer, FanoutResult> nl = fanouts.getOrDefault(NOTIFY_LISTEN, Map.of());
		int largest = nl.keySet().stream().max(Integer::compare).orElse(0);
		if (largest > 0) {
			FanoutResult top = nl.get(largest);
			FanoutResult base = fanouts.getOrDefault(BASELINE, Map.of()).get(largest);
			this.benchmark.targets.add(() -> "10k concurrent listeners on one node: "
					+ met(largest >= 10_000 && top.lost() == 0) + " (" + largest + " listeners held and notified)");
			this.benchmark.targets.add(() -> "p99 < 100 ms for one notify to " + largest + " listeners: "
					+ met(top.single().p99() < 100) + " (p99 " + f1(top.single().p99()) + " ms"
					+ ((base != null) ? ", baseline " + f1(base.single().p99()) + " ms" : "")
					+ ((this.benchmark.bareEndpoint != null && largest == this.benchmark.maxListeners)
							? ", bare endpoint (g) " + f1(this.benchmark.bareEndpoint.single().p99()) + " ms" : "")
					+ ((this.benchmark.floor != null && this.benchmark.floor.connections() == largest)
							? ", bare sockets (f) " + f1(this.benchmark.floor.latency().p99()) + " ms" : "")
					+ ")");
			if (base != null) {
				chart(largest, top, base);
				double ratio = top.deliveriesPerSecond() / base.deliveriesPerSecond();
				this.benchmark.targets.add(() -> "fan-out deliveries/s >= 3x baseline: " + met(ratio >= 3) + " ("
						+ String.format(Locale.ROOT, "%.2f", ratio) + "x at " + largest + " listeners: "
						+ f0(top.deliveriesPerSecond()) + " vs " + f0(base.deliveriesPerSecond()) + "/s)");
			}
		}
	}

	// The two fan-out targets at the largest N as bars: quicker to take in than the
	// table's ratios.
	private void chart(int listeners, FanoutResult notifyListen, FanoutResult baseline) {
		Map<String, Double> throughput = new LinkedHashMap<>();
		throughput.put(NOTIFY_LISTEN, notifyListen.deliveriesPerSecond());
		throughput.put(BASELINE, baseline.deliveriesPerSecond());
		throughput.put("3x baseline (target)", 3 * baseline.deliveriesPerSecond());
		Map<String, Double> p99 = new LinkedHashMap<>();
		if (this.benchmark.floor != null && this.benchmark.floor.connections() == listeners) {
			p99.put("bare sockets (f)", this.benchmark.floor.latency().p99());
		}
		p99.put(NOTIFY_LISTEN, notifyListen.single().p99());
		p99.put(BASELINE, baseline.single().p99());
		p99.put("target", 100.0);
		line("```");
		bars("Deliveries/s to " + listeners + " listeners (burst)", throughput, "/s");
		line("");
		bars("p99 of one notification to " + listeners + " listeners", p99, " ms");
		line("```");
		line("");
	}

	private void bars(String title, Map<String, Double> values, String unit) {
		line(title);
		double largest = values.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
		int labelWidth = values.keySet().stream().mapToInt(String::length).max().orElse(0);
		values.forEach((label, value) -> {
			int width = (int) Math.round(40 * value / largest);
			line(String.format(Locale.ROOT, "  %-" + labelWidth + "s %s %s%s", label, "#".repeat(Math.max(1, width)),
					(value >= 1000) ? f0(value) : f1(value), unit));
		});
	}

	private void fanoutRatios(Map<String, Map<Integer, FanoutResult>> fanouts) {
		for (Map.Entry<Integer, FanoutResult> entry : fanouts.getOrDefault(NOTIFY_LISTEN, Map.of()).entrySet()) {
			FanoutResult base = fanouts.getOrDefault(BASELINE, Map.of()).get(entry.getKey());
			if (base != null) {
				line(ratioRow("ratio notify-listen / baseline", entry.getKey(), entry.getValue(), base));
			}
		}
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
