package io.notifylisten.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;

/**
 * Scenario (h): a crowd joins one object's presence, each member a user of its own on a
 * connection of its own. Measured: the time from the first SUBSCRIBE until every member's
 * page has every member in its list (the last presence frame each page received counts
 * them all), and the presence messages the pages received, per join. The baseline, in the
 * same run, is the same server writing every join as soon as it happens (a 1 ms publish
 * interval): close to one message to every member present per join, the N² that batching
 * exists to avoid.
 */
final class PresenceScenario {

	private static final Duration FULL_LIST_TIMEOUT = Duration.ofSeconds(180);

	private final BenchmarkMain benchmark;

	PresenceScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
	}

	void run(int members, String heap) throws Exception {
		line("## (h) Presence: " + members + " members join one object's presence");
		line("");
		line("Each member is a user of its own on a connection of its own, all subscribing as fast as the "
				+ "load generator sets them up; max-members is " + members + ", so every page keeps the whole list. "
				+ "'Messages per join' is presence frames received by all pages over members; one message to every "
				+ "member present per join would be (N + 1) / 2 = " + BenchmarkMain.f1((members + 1) / 2.0) + ".");
		line("");
		line("| publish-interval | members | all subscribed after s | all pages have the full list after s "
				+ "| of which after the last SUBSCRIBE s | messages received | messages per join |");
		line("| --- | --- | --- | --- | --- | --- | --- |");
		Result eager = measure("1ms", members, heap);
		Result batched = measure("50ms", members, heap);
		Result slow = measure("250ms", members, heap);
		line(eager.row("1ms (baseline)", members));
		line(batched.row("50ms (default)", members));
		line(slow.row("250ms", members));
		line("");
		line(String.format(Locale.ROOT,
				"Against the baseline: %.1f%% of its messages at 50ms, %.1f%% at 250ms. The time to the full list "
						+ "is the load generator's pace of setting up members (login, key, CONNECT, signature); "
						+ "the last page had it %.2f / %.2f / %.2f s after the last SUBSCRIBE.",
				100.0 * batched.messages() / Math.max(1, eager.messages()),
				100.0 * slow.messages() / Math.max(1, eager.messages()),
				eager.fullListSeconds() - eager.subscribedSeconds(),
				batched.fullListSeconds() - batched.subscribedSeconds(),
				slow.fullListSeconds() - slow.subscribedSeconds()));
		line("");
	}

	private Result measure(String publishInterval, int members, String heap) throws Exception {
		List<String> properties = new ArrayList<>(List.of("--notify-listen.key=bench",
				"--notify-listen.secret=benchmark-secret-0123456789abcdef0123456789",
				"--notify-listen.presence.max-members=" + members,
				"--notify-listen.presence.publish-interval=" + publishInterval));
		try (ServerProcess server = this.benchmark.start(BenchmarkMain.NOTIFY_LISTEN + "-presence-" + publishInterval,
				NotifyListenBenchmarkServer.class, true, heap, properties)) {
			DeliveryRecorder recorder = new DeliveryRecorder(1);
			this.benchmark.client.recordInto(recorder);
			long start = System.nanoTime();
			List<LoadClient.Listener> listeners = this.benchmark.client.open(server.target(), members,
					(i) -> "presence-Item/7");
			double subscribed = (System.nanoTime() - start) / 1e9;
			long deadline = start + FULL_LIST_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline
					&& listeners.stream().anyMatch((listener) -> listener.presenceCount() < members)) {
				Thread.sleep(5);
			}
			boolean complete = listeners.size() == members
					&& listeners.stream().allMatch((listener) -> listener.presenceCount() == members);
			double seconds = (System.nanoTime() - start) / 1e9;
			// Late frames (none are expected once every count is full) would be counted
			// here.
			Thread.sleep(500);
			int messages = recorder.count();
			this.benchmark.client.close(listeners);
			return new Result(complete, subscribed, seconds, messages);
		}
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

	private record Result(boolean complete, double subscribedSeconds, double fullListSeconds, int messages) {

		String row(String name, int members) {
			String fullList = this.complete ? String.format(Locale.ROOT, "%.2f", this.fullListSeconds)
					: "not all within " + FULL_LIST_TIMEOUT.toSeconds() + " s";
			return BenchmarkMain.row(name, members, String.format(Locale.ROOT, "%.2f", this.subscribedSeconds),
					fullList, String.format(Locale.ROOT, "%.2f", this.fullListSeconds - this.subscribedSeconds),
					this.messages, BenchmarkMain.f1((double) this.messages / members));
		}

	}

}
