package io.notifylisten.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.notifylisten.benchmark.BenchmarkMain.FanoutResult;
import io.notifylisten.benchmark.client.LoadClient;

import static io.notifylisten.benchmark.BenchmarkMain.ratio;

/**
 * Scenario (d): the fan-out of (b) through a {@code @NotifyListen} method against the
 * bare path.
 */
final class HandlerScenario {

	private final BenchmarkMain benchmark;

	HandlerScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	// (d): the same fan-out through a @NotifyListen handler (once per connection, as its
	// user) and bare.
	void handler(ServerProcess notifyListen, ServerProcess baseline) throws Exception {
		int n = Math.min(this.benchmark.maxListeners, this.benchmark.intOption("handler-listeners", 1_000));
		line("## (d) @NotifyListen handler path vs bare messages, " + n + " listeners on one channel");
		line("");
		line(FanoutResult.HEADER.replace("| server |", "| path |"));
		line(FanoutResult.SEPARATOR);
		Map<String, FanoutResult> results = new LinkedHashMap<>();
		record Path(String label, ServerProcess server, String action) {
		}
		for (Path path : List.of(new Path("notify-listen @NotifyListen handler", notifyListen, "view"),
				new Path("notify-listen bare", notifyListen, "changed"),
				new Path("baseline bare", baseline, "changed"))) {
			List<LoadClient.Listener> listeners = new ArrayList<>();
			this.benchmark.openAndAwait(path.server(), n, (i) -> "Item/2/" + path.action(), listeners);
			FanoutResult result = this.benchmark.measureFanout(path.server(), "Item", "2", path.action(),
					listeners.size());
			results.put(path.label(), result);
			line(result.row(path.label(), n));
			this.benchmark.closeAll(path.server(), listeners);
		}
		FanoutResult handler = results.get("notify-listen @NotifyListen handler");
		FanoutResult bare = results.get("notify-listen bare");
		line("| ratio handler / bare | | " + ratio(handler.single().p50(), bare.single().p50()) + " | "
				+ ratio(handler.single().p99(), bare.single().p99()) + " | | "
				+ ratio(handler.deliveriesPerSecond(), bare.deliveriesPerSecond()) + " | | | | "
				+ ratio(handler.serverCpuMicros(), bare.serverCpuMicros()) + " | "
				+ ratio(handler.clientCpuMicros(), bare.clientCpuMicros()) + " |");
		line("");
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
