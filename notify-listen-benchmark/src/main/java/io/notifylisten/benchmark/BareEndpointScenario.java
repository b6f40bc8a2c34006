package io.notifylisten.benchmark;

import java.util.ArrayList;
import java.util.List;

import io.notifylisten.benchmark.BenchmarkMain.FanoutResult;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.endpoint.BareEndpointBenchmarkServer;

import static io.notifylisten.benchmark.BenchmarkMain.BARE_ENDPOINT;
import static io.notifylisten.benchmark.BenchmarkMain.f1;

/**
 * Scenario (g): the fan-out of (b) through the servlet container's own WebSocket
 * endpoint, with nothing of Spring's messaging above it.
 */
final class BareEndpointScenario {

	private final BenchmarkMain benchmark;

	BareEndpointScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	// The fan-out of (b) to N listeners through the container's own WebSocket, with
	// nothing of Spring's messaging above it; after (b), so that the load generator is as
	// warm as it was there (run first, it cost the load generator half as much again per
	// message).
	void bareEndpoint(String heap) throws Exception {
		try (ServerProcess endpoint = this.benchmark.start(BARE_ENDPOINT, BareEndpointBenchmarkServer.class, false,
				heap, new ArrayList<>())) {
			this.benchmark.warmUp(endpoint);
			ServerProcess.Stats before = endpoint.stats(true);
			List<LoadClient.Listener> listeners = new ArrayList<>();
			this.benchmark.openAndAwait(endpoint, this.benchmark.maxListeners, (i) -> "Item/1/changed", listeners);
			int held = listeners.size();
			ServerProcess.Stats idle = endpoint.stats(true);
			double heapKiB = (idle.heapUsed() - before.heapUsed()) / 1024.0 / Math.max(1, held);
			double rssKiB = (idle.rss() - before.rss()) / 1024.0 / Math.max(1, held);
			FanoutResult result = this.benchmark.measureFanout(endpoint, "Item", "1", "changed", held);
			this.benchmark.closeAll(endpoint, listeners);
			if (held == this.benchmark.maxListeners) {
				this.benchmark.bareEndpoint = result;
			}
			line("## (g) Bare endpoint: the container's WebSocket, no Spring messaging");
			line("");
			line("The fan-out of (b) on a Jakarta WebSocket endpoint of the same container ("
					+ this.benchmark.container()
					+ ") that speaks just enough STOMP for the load generator and writes each MESSAGE frame with "
					+ "one blocking sendText from " + "four threads: no broker, no security, no queue. What any "
					+ "STOMP server on this container reaches at best, for reading (b) against.");
			line("");
			line(FanoutResult.HEADER);
			line(FanoutResult.SEPARATOR);
			line(result.row(BARE_ENDPOINT, held));
			line("");
			line("Idle, measured as in (a): " + f1(heapKiB) + " KiB heap and " + f1(rssKiB)
					+ " KiB RSS per connection at " + held + " listeners (" + idle.connections()
					+ " on the server): the container's own share of (a).");
			line("");
		}
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
