package io.notifylisten.benchmark;

import static io.notifylisten.benchmark.BenchmarkMain.f1;
import static io.notifylisten.benchmark.BenchmarkMain.row;

/**
 * Scenario (f): what one write to each of N loopback sockets costs the machine itself,
 * with no framework, for reading the fan-out's p99 against.
 */
final class FloorScenario {

	private final BenchmarkMain benchmark;

	FloorScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	// Before the servers start: the floor's two processes hold 2 x N sockets of their
	// own.
	void floor() throws Exception {
		int connections = this.benchmark.maxListeners;
		int rounds = this.benchmark.intOption("latency-notifies", 5);
		line("## (f) Floor: one " + SocketFloor.MESSAGE_BYTES + "-byte write to each of N loopback TCP sockets");
		line("");
		line("No server framework: a writer process writes one stamped message to each of its N accepted sockets, "
				+ "this process reads them on two selector threads; " + rounds + " rounds, each awaited by all N. "
				+ "What one notification to N listeners costs the kernel alone on this machine, for reading the "
				+ "p99 of (b) against.");
		line("");
		line("| connections | writer threads | p50 ms | p99 ms | max ms | read / written | writer CPU µs/message (kernel) "
				+ "| reader CPU µs/message (kernel) |");
		line("| --- | --- | --- | --- | --- | --- | --- | --- |");
		for (int threads : new int[] { 1, 4 }) {
			SocketFloor.Result floor = SocketFloor.measure(connections, rounds, threads, "512m");
			// The one with as many writers as notify-listen's default outbound pool on
			// two cores.
			this.benchmark.floor = floor;
			line(row(floor.connections(), threads, f1(floor.latency().p50()), f1(floor.latency().p99()),
					f1(floor.latency().max()), floor.delivered() + " / " + floor.expected(),
					f1(floor.writerCpuMicros()) + " (" + f1(floor.writerSystemMicros()) + ")",
					f1(floor.readerCpuMicros()) + " (" + f1(floor.readerSystemMicros()) + ")"));
		}
		line("");
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

}
