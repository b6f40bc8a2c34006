package io.notifylisten.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.notifylisten.benchmark.BenchmarkMain.FanoutResult;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;

import static io.notifylisten.benchmark.BenchmarkMain.NOTIFY_LISTEN;
import static io.notifylisten.benchmark.BenchmarkMain.STREAM_PORT;
import static io.notifylisten.benchmark.BenchmarkMain.f0;
import static io.notifylisten.benchmark.BenchmarkMain.met;
import static io.notifylisten.benchmark.BenchmarkMain.ratioRow;
import static io.notifylisten.benchmark.BenchmarkMain.row;
import static io.notifylisten.benchmark.BenchmarkMain.streamBrokerAnswers;

/**
 * Scenario (e): the fan-out on one node against two nodes that share a RabbitMQ stream,
 * and each node's broker connections.
 */
final class MultiNodeScenario {

	private final BenchmarkMain benchmark;

	MultiNodeScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	// (e): two nodes that share one RabbitMQ stream as their log, against one node with
	// its in-memory log and as many listeners. Every notification is sent on node A, so
	// that what node B delivers has gone through the broker; node A's own listeners are
	// served from the stream too.
	void multiNode(String heap) throws Exception {
		int n = Math.min(this.benchmark.maxListeners, this.benchmark.intOption("multinode-listeners", 10_000));
		line("## (e) Several nodes on a RabbitMQ stream (127.0.0.1:" + STREAM_PORT + "): fan-out to " + n
				+ " listeners");
		line("");
		if (!streamBrokerAnswers()) {
			line("Skipped: no stream broker answers on 127.0.0.1:" + STREAM_PORT
					+ " (start one with `.ci/rabbitmq start`).");
			line("");
			return;
		}
		FanoutResult single;
		try (ServerProcess node = this.benchmark.start(NOTIFY_LISTEN + "-single-node",
				NotifyListenBenchmarkServer.class, true, heap, this.benchmark.notifyListenProperties(false))) {
			this.benchmark.warmUp(node);
			List<LoadClient.Listener> listeners = new ArrayList<>();
			this.benchmark.openAndAwait(node, n, (i) -> "Item/4/changed", listeners);
			single = this.benchmark.measureFanout(node, "Item", "4", "changed", listeners.size());
			this.benchmark.closeAll(node, listeners);
		}
		FanoutResult twoNodes;
		List<String> connectionRows = new ArrayList<>();
		List<String> connectionCounts = new ArrayList<>();
		boolean constant = true;
		try (ServerProcess nodeA = this.benchmark.start(NOTIFY_LISTEN + "-node-a", NotifyListenBenchmarkServer.class,
				true, heap, this.benchmark.notifyListenProperties(true));
				ServerProcess nodeB = this.benchmark.start(NOTIFY_LISTEN + "-node-b", NotifyListenBenchmarkServer.class,
						true, heap, this.benchmark.notifyListenProperties(true))) {
			// Each warm-up notifies on its own node: both reach the stream before
			// anything is measured.
			this.benchmark.warmUp(nodeA);
			this.benchmark.warmUp(nodeB);
			List<ServerProcess> nodes = List.of(nodeA, nodeB);
			int[] idle = { nodeA.connectionsTo(STREAM_PORT), nodeB.connectionsTo(STREAM_PORT) };
			List<List<LoadClient.Listener>> listeners = List.of(new ArrayList<>(), new ArrayList<>());
			this.benchmark.openAndAwait(nodeA, n / 2, (i) -> "Item/4/changed", listeners.get(0));
			this.benchmark.openAndAwait(nodeB, n - n / 2, (i) -> "Item/4/changed", listeners.get(1));
			for (int i = 0; i < nodes.size(); i++) {
				int busy = nodes.get(i).connectionsTo(STREAM_PORT);
				constant &= (busy > 0 && busy == idle[i]);
				connectionRows.add(row(nodes.get(i).name(), listeners.get(i).size(), idle[i], busy));
				connectionCounts.add(nodes.get(i).name() + " " + idle[i] + " idle, " + busy + " with "
						+ listeners.get(i).size() + " listeners");
			}
			int held = listeners.get(0).size() + listeners.get(1).size();
			twoNodes = this.benchmark.measureFanout(nodeA, nodes, "Item", "4", "changed", held);
			this.benchmark.closeAll(nodeA, listeners.get(0));
			this.benchmark.closeAll(nodeB, listeners.get(1));
		}
		line("One node with the in-memory log and all N listeners, then two nodes on this machine with the same key "
				+ "and secret on the stream `notify-listen.bench`, N/2 listeners on each; every notification is sent on "
				+ "node A and reaches the listeners of both through the stream. Measured as in (b); the two nodes' "
				+ "server CPU is summed.");
		line("");
		line(FanoutResult.HEADER.replace("| server |", "| setup |"));
		line(FanoutResult.SEPARATOR);
		line(single.row("one node, in-memory log", n));
		line(twoNodes.row("two nodes on the stream, notified on A", n));
		line(ratioRow("ratio two nodes / one node", n, twoNodes, single));
		line("");
		line("Connections each node holds to the broker (established TCP to 127.0.0.1:" + STREAM_PORT
				+ ", from /proc), with no listeners and with its share of the N:");
		line("");
		line("| node | listeners | broker connections, no listeners | broker connections, with listeners |");
		line("| --- | --- | --- | --- |");
		connectionRows.forEach(this::line);
		line("");
		double ratio = twoNodes.deliveriesPerSecond() / single.deliveriesPerSecond();
		this.benchmark.targets.add(() -> "two nodes on the stream >= 0.8x one node's fan-out deliveries/s: "
				+ met(ratio >= 0.8) + " (" + String.format(Locale.ROOT, "%.2f", ratio) + "x at " + n + " listeners: "
				+ f0(twoNodes.deliveriesPerSecond()) + " vs " + f0(single.deliveriesPerSecond()) + "/s)");
		boolean brokerConnectionsConstant = constant;
		this.benchmark.targets.add(() -> "broker connections per node independent of its listeners: "
				+ met(brokerConnectionsConstant) + " (" + String.join("; ", connectionCounts) + ")");
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
