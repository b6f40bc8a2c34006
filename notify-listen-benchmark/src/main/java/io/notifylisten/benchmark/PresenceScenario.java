package io.notifylisten.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;

/**
 * Scenario (h): a crowd joins one object's presence, each member a user of its own on a connection
 * of its own. Measured: the time from the first SUBSCRIBE until every member's page has every
 * member in its list (the last presence frame each page received counts them all), and the
 * presence messages the pages received, per join. The baseline, in the same run, is the same
 * server writing every join as soon as it happens (a 1 ms publish interval): close to one message
 * to every member present per join, the N² that batching exists to avoid.
 */
final class PresenceScenario {

	/** Starts a notify-listen server with extra properties; the name tells its log apart. */
	@FunctionalInterface
	interface ServerStarter {

		ServerProcess start(String name, List<String> properties) throws Exception;

	}

	private static final Duration FULL_LIST_TIMEOUT = Duration.ofSeconds(180);

	private final LoadClient client;

	private final ServerStarter servers;

	private final Consumer<String> line;

	PresenceScenario(LoadClient client, ServerStarter servers, Consumer<String> line) {
		this.client = client;
		this.servers = servers;
		this.line = line;
	}

	void run(int members) throws Exception {
		this.line.accept("## (h) Presence: " + members + " members join one object's presence");
		this.line.accept("");
		this.line.accept("Each member is a user of its own on a connection of its own, all subscribing as fast as the "
				+ "load generator sets them up; max-members is " + members + ", so every page keeps the whole list. "
				+ "'Messages per join' is presence frames received by all pages over members; one message to every "
				+ "member present per join would be (N + 1) / 2 = " + f1((members + 1) / 2.0) + ".");
		this.line.accept("");
		this.line.accept("| publish-interval | members | all subscribed after s | all pages have the full list after s "
				+ "| of which after the last SUBSCRIBE s | messages received | messages per join |");
		this.line.accept("| --- | --- | --- | --- | --- | --- | --- |");
		Result eager = measure("1ms", members);
		Result batched = measure("50ms", members);
		Result slow = measure("250ms", members);
		this.line.accept(eager.row("1ms (baseline)", members));
		this.line.accept(batched.row("50ms (default)", members));
		this.line.accept(slow.row("250ms", members));
		this.line.accept("");
		this.line.accept(String.format(Locale.ROOT,
				"Against the baseline: %.1f%% of its messages at 50ms, %.1f%% at 250ms. The time to the full list "
						+ "is the load generator's pace of setting up members (login, key, CONNECT, signature); "
						+ "the last page had it %.2f / %.2f / %.2f s after the last SUBSCRIBE.",
				100.0 * batched.messages() / Math.max(1, eager.messages()),
				100.0 * slow.messages() / Math.max(1, eager.messages()),
				eager.fullListSeconds() - eager.subscribedSeconds(),
				batched.fullListSeconds() - batched.subscribedSeconds(),
				slow.fullListSeconds() - slow.subscribedSeconds()));
		this.line.accept("");
	}

	private Result measure(String publishInterval, int members) throws Exception {
		List<String> properties = new ArrayList<>(List.of("--notify-listen.key=bench",
				"--notify-listen.secret=benchmark-secret-0123456789abcdef0123456789",
				"--notify-listen.presence.max-members=" + members,
				"--notify-listen.presence.publish-interval=" + publishInterval));
		try (ServerProcess server = this.servers.start("presence-" + publishInterval, properties)) {
			DeliveryRecorder recorder = new DeliveryRecorder(1);
			this.client.recordInto(recorder);
			long start = System.nanoTime();
			List<LoadClient.Listener> listeners = this.client.open(server.target(), members, (i) -> "presence-Item/7");
			double subscribed = (System.nanoTime() - start) / 1e9;
			long deadline = start + FULL_LIST_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline
					&& listeners.stream().anyMatch((listener) -> listener.presenceCount() < members)) {
				Thread.sleep(5);
			}
			boolean complete = listeners.size() == members
					&& listeners.stream().allMatch((listener) -> listener.presenceCount() == members);
			double seconds = (System.nanoTime() - start) / 1e9;
			// Late frames (none are expected once every count is full) would be counted here.
			Thread.sleep(500);
			int messages = recorder.count();
			this.client.close(listeners);
			return new Result(complete, subscribed, seconds, messages);
		}
	}

	private static String f1(double value) {
		return String.format(Locale.ROOT, "%.1f", value);
	}

	private record Result(boolean complete, double subscribedSeconds, double fullListSeconds, int messages) {

		String row(String name, int members) {
			String fullList = this.complete ? String.format(Locale.ROOT, "%.2f", this.fullListSeconds)
					: "not all within " + FULL_LIST_TIMEOUT.toSeconds() + " s";
			return BenchmarkMain.row(name, members, String.format(Locale.ROOT, "%.2f", this.subscribedSeconds),
					fullList, String.format(Locale.ROOT, "%.2f", this.fullListSeconds - this.subscribedSeconds),
					this.messages, f1((double) this.messages / members));
		}

	}

}
