package io.notifylisten.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.baseline.BaselineBenchmarkServer;
import io.notifylisten.benchmark.server.endpoint.BareEndpointBenchmarkServer;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;
import org.jspecify.annotations.Nullable;

/**
 * Runs the benchmark: starts a notify-listen server and a bare Spring STOMP baseline as child JVMs,
 * drives both with the same {@link LoadClient}, and prints one Markdown table per scenario with
 * notify-listen / baseline ratios. Arguments, as {@code --name=value} (one string is split on spaces):
 * <ul>
 * <li>{@code max-listeners} (10000): largest number of listeners in any scenario</li>
 * <li>{@code scenarios} (floor,idle,fanout,many,handler,endpoint,multinode,presence)</li>
 * <li>{@code rate} (1000): notifications per second in the many-channels scenario</li>
 * <li>{@code handler-listeners} (1000), {@code multinode-listeners} (10000), {@code presence-members}
 * (1000): capped by max-listeners</li>
 * <li>{@code notify-listen-properties} (none): {@code a=1,b=2} become {@code --notify-listen.a=1 ...}</li>
 * <li>{@code server-jvm}, {@code server-properties} (none): comma-separated JVM options and Spring
 * properties for every server, for experiments such as JFR or {@code bench.preserve-order=true}</li>
 * <li>{@code tuned} (off), {@code tuned-buffer} (1024): shrink Tomcat's per-connection buffers on both servers</li>
 * <li>{@code container} (tomcat): the servlet container of both servers, {@code tomcat} or {@code jetty}</li>
 * <li>{@code repeat} (1): each fan-out measurement this many times in a row, every figure reported as
 * its median</li>
 * <li>{@code profile} (off): each server records a JFR profile to {@code <name>.jfr} in the log
 * directory, written when it stops; {@code --profile=<file.jfc>} records with those settings instead of
 * the JDK's {@code profile}</li>
 * <li>{@code histogram} (off): with every listener idle at the largest N, each server's live-object
 * histogram ({@code jmap -histo:live}) goes to the log directory</li>
 * <li>{@code latency-notifies} (5), {@code burst} (20), {@code server-heap} (3g),
 * {@code out} (target/benchmark-results.md)</li>
 * </ul>
 */
public final class BenchmarkMain {

	private static final String NOTIFY_LISTEN = "notify-listen";

	private static final String BASELINE = "baseline";

	private static final String BARE_ENDPOINT = "bare endpoint";

	/** RabbitMQ's stream port on this machine, where the nodes of (e) share their log. */
	private static final int STREAM_PORT = 5552;

	private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(120);

	private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

	private final Map<String, String> options;

	private final int maxListeners;

	/** The floor scenario's measurement with four writer threads, if it ran. */
	private SocketFloor.@Nullable Result floor;

	/** The bare endpoint's fan-out to the largest N, if scenario (g) ran. */
	private @Nullable FanoutResult bareEndpoint;

	private final LoadClient client = new LoadClient();

	private final StringBuilder report = new StringBuilder();

	private final Path logs = Path.of("target", "benchmark-logs");

	// Written at the end: the p99 target names the bare endpoint's figure, measured after (b).
	private final List<java.util.function.Supplier<String>> targets = new ArrayList<>();

	private long totalLostNotifyListen;

	private BenchmarkMain(Map<String, String> options) {
		this.options = options;
		this.maxListeners = intOption("max-listeners", 10_000);
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : String.join(" ", args).trim().split("\\s+")) {
			if (arg.isEmpty()) {
				continue;
			}
			String[] pair = arg.replaceFirst("^--", "").split("=", 2);
			options.put(pair[0], (pair.length > 1) ? pair[1] : "true");
		}
		BenchmarkMain benchmark = new BenchmarkMain(options);
		try {
			benchmark.run();
		}
		finally {
			benchmark.client.close();
		}
		// The JDK HTTP client's selector threads are not daemons.
		System.exit(0);
	}

	private void run() throws Exception {
		String scenarios = this.options.getOrDefault("scenarios", "floor,idle,fanout,many,handler,endpoint,multinode,presence");
		line("# notify-listen benchmark, " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
		line("");
		line("Options: " + this.options + "; " + Runtime.getRuntime().availableProcessors() + " cores, Java "
				+ Runtime.version() + ", open-file limit " + openFileLimit() + ".");
		long needed = this.maxListeners + 2_000L;
		if (openFileLimit() >= 0 && openFileLimit() < needed) {
			line("WARNING: the open-file limit is below the ~" + needed
					+ " descriptors each side needs; raise it with `ulimit -n " + needed + "`.");
		}
		line("");
		String heap = this.options.getOrDefault("server-heap", "3g");
		if (scenarios.contains("floor")) {
			floor();
		}
		boolean sideBySide = List.of("idle", "fanout", "many", "handler").stream().anyMatch(scenarios::contains);
		if (sideBySide) {
			sideBySide(scenarios, heap);
		}
		if (scenarios.contains("endpoint")) {
			bareEndpoint(heap);
		}
		if (scenarios.contains("multinode")) {
			multiNode(heap);
		}
		if (scenarios.contains("presence")) {
			new PresenceScenario(this.client,
					(name, properties) -> ServerProcess.start(NOTIFY_LISTEN + "-" + name,
							NotifyListenBenchmarkServer.class, true, container(), heap, this.logs, jvmOptions(),
							withTuning(new ArrayList<>(properties))),
					this::line)
				.run(Math.min(this.maxListeners, intOption("presence-members", 1_000)));
		}
		line("## Targets");
		line("");
		this.targets.forEach((target) -> line("- " + target.get()));
		line("- zero lost messages on notify-listen: " + met(this.totalLostNotifyListen == 0) + " ("
				+ this.totalLostNotifyListen + " lost in all notify-listen rows; client saw "
				+ this.client.errorFrames() + " ERROR frames, " + this.client.unexpectedCloses()
				+ " unexpected closes" + ((this.client.lastError() != null) ? ", last: " + this.client.lastError() : "")
				+ ")");
		Path out = Path.of(this.options.getOrDefault("out", "target/benchmark-results.md"));
		Files.createDirectories(out.toAbsolutePath().getParent());
		Files.writeString(out, this.report);
		System.out.println();
		System.out.println("Written to " + out.toAbsolutePath());
	}

	// The scenarios that run notify-listen and the baseline side by side, on one pair of servers.
	private void sideBySide(String scenarios, String heap) throws Exception {
		try (ServerProcess notifyListen = ServerProcess.start(NOTIFY_LISTEN, NotifyListenBenchmarkServer.class, true,
				container(), heap, this.logs, jvmOptions(), withTuning(notifyListenProperties(false)));
				ServerProcess baseline = ServerProcess.start(BASELINE, BaselineBenchmarkServer.class, false,
						container(), heap, this.logs, jvmOptions(), withTuning(new ArrayList<>()))) {
			line("Servers: notify-listen pid " + notifyListen.pid() + ", baseline pid " + baseline.pid()
					+ " (-Xmx" + heap + ", JVM options " + jvmOptions() + " after the defaults in ServerProcess); logs in " + this.logs + ".");
			line("");
			warmUp(notifyListen);
			warmUp(baseline);
			if (scenarios.contains("idle") || scenarios.contains("fanout")) {
				idleAndFanout(notifyListen, baseline, scenarios.contains("fanout"));
			}
			if (scenarios.contains("many")) {
				manyChannels(notifyListen, baseline);
			}
			if (scenarios.contains("handler")) {
				handler(notifyListen, baseline);
			}
			line("notify-listen's own meters at the end: " + counters(notifyListen.stats(false)) + ".");
			line("");
		}
	}

	// A few rounds through every code path first, so that neither server is measured while the JIT
	// is still compiling; the numbers of this round are not reported.
	private void warmUp(ServerProcess server) throws Exception {
		int n = Math.min(this.maxListeners, 200);
		for (String action : new String[] { "changed", "view" }) {
			if (!server.target().notifyListen() && action.equals("view")) {
				continue;
			}
			List<LoadClient.Listener> listeners = new ArrayList<>();
			openAndAwait(server, n, (i) -> "Item/0/" + action, listeners);
			DeliveryRecorder recorder = new DeliveryRecorder(n * 200);
			this.client.recordInto(recorder);
			for (int round = 0; round < 10; round++) {
				server.notify("Item", "0", action, 20);
			}
			recorder.awaitCount((long) n * 200, DELIVERY_TIMEOUT);
			closeAll(server, listeners);
		}
	}

	private String container() {
		return this.options.getOrDefault("container", "tomcat");
	}

	// --tuned: the memory experiment, identical for both servers; off by default.
	private List<String> jvmOptions() {
		List<String> jvmOptions = new ArrayList<>(list("server-jvm"));
		if (this.options.containsKey("tuned")) {
			jvmOptions.add("-Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=" + intOption("tuned-buffer", 1024));
		}
		if (this.options.containsKey("profile")) {
			String settings = this.options.get("profile").equals("true") ? "profile" : this.options.get("profile");
			jvmOptions.add("-XX:StartFlightRecording=settings=" + settings + ",filename="
					+ this.logs.toAbsolutePath().resolve("{name}.jfr"));
		}
		return jvmOptions;
	}

	private List<String> withTuning(List<String> properties) {
		if (this.options.containsKey("tuned")) {
			properties.add("--bench.socket-buffer=" + intOption("tuned-buffer", 1024));
		}
		for (String property : list("server-properties")) {
			properties.add("--" + property);
		}
		return properties;
	}

	private List<String> list(String option) {
		return java.util.Arrays.stream(this.options.getOrDefault(option, "").split(","))
			.map(String::trim)
			.filter((value) -> !value.isEmpty())
			.toList();
	}

	private List<String> notifyListenProperties(boolean stream) {
		List<String> properties = new ArrayList<>(List.of("--notify-listen.key=bench",
				"--notify-listen.secret=benchmark-secret-0123456789abcdef0123456789"));
		// Nodes with the same key share the stream of its default name, notify-listen.bench.
		if (stream) {
			properties.add("--notify-listen.stream.host=127.0.0.1");
			properties.add("--notify-listen.stream.port=" + STREAM_PORT);
		}
		// --notify-listen-properties=a=1,b=2 passes settings through, such as limits.max-frame-size=4KB.
		String extra = this.options.getOrDefault("notify-listen-properties", "");
		for (String property : extra.split(",")) {
			if (!property.isBlank()) {
				properties.add("--notify-listen." + property.trim());
			}
		}
		return properties;
	}

	// (a) and (b): one set of listeners on one channel grows through the sizes; at each, heap and
	// RSS are read after GC with every listener idle, then the channel is notified.
	private void idleAndFanout(ServerProcess notifyListen, ServerProcess baseline, boolean fanout) throws Exception {
		TreeSet<Integer> sizes = new TreeSet<>();
		for (int size : new int[] { 1_000, 5_000, 10_000 }) {
			if (size <= this.maxListeners) {
				sizes.add(size);
			}
		}
		sizes.add(this.maxListeners);
		List<String> idleRows = new ArrayList<>();
		List<String> fanoutRows = new ArrayList<>();
		Map<String, Map<Integer, double[]>> idle = new LinkedHashMap<>();
		Map<String, Map<Integer, FanoutResult>> fanouts = new LinkedHashMap<>();
		for (ServerProcess server : List.of(notifyListen, baseline)) {
			ServerProcess.Stats before = server.stats(true);
			List<LoadClient.Listener> listeners = new ArrayList<>();
			for (int size : sizes) {
				int opened = openAndAwait(server, size - listeners.size(), (i) -> "Item/1/changed", listeners);
				if (size == 1_000 || size == 10_000 || size == this.maxListeners) {
					ServerProcess.Stats after = server.stats(true);
					double heapKiB = (after.heapUsed() - before.heapUsed()) / 1024.0 / size;
					double rssKiB = (after.rss() - before.rss()) / 1024.0 / size;
					idle.computeIfAbsent(server.name(), (name) -> new LinkedHashMap<>())
						.put(size, new double[] { heapKiB, rssKiB, after.connections() });
					if (size == this.maxListeners && this.options.containsKey("histogram")) {
						server.writeHistogram(this.logs);
					}
					idleRows.add(row(server.name(), size, listeners.size() + " (" + after.connections() + " on server)",
							f1(heapKiB), f1(rssKiB)));
				}
				if (fanout) {
					FanoutResult result = measureFanout(server, "Item", "1", "changed", listeners.size());
					fanouts.computeIfAbsent(server.name(), (name) -> new LinkedHashMap<>()).put(size, result);
					fanoutRows.add(result.row(server.name(), size));
				}
				if (opened < size) {
					break;
				}
			}
			closeAll(server, listeners);
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
			// Listeners the server closed (an idle timeout, say) would make the heap look small.
			this.targets.add(() -> "<= 20 KiB heap per idle connection: "
					+ ((measured[2] < largestIdle) ? "**not measured** (the server held " + (int) measured[2]
							+ " of " + largestIdle + " listeners)"
							: met(heapKiB <= 20) + " (" + f1(heapKiB) + " KiB at " + largestIdle + " listeners)"));
		}
		if (!fanout) {
			return;
		}
		line("## (b) Fan-out: one channel to N listeners");
		line("");
		line("Latency: " + intOption("latency-notifies", 5) + " single notifications, each awaited by all N, "
				+ "notify (`changedAt`) to receipt by the client. Deliveries/s: a burst of " + intOption("burst", 20)
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
			this.targets.add(() -> "10k concurrent listeners on one node: " + met(largest >= 10_000 && top.lost() == 0)
					+ " (" + largest + " listeners held and notified)");
			this.targets.add(() -> "p99 < 100 ms for one notify to " + largest + " listeners: " + met(top.single().p99() < 100)
					+ " (p99 " + f1(top.single().p99()) + " ms"
					+ ((base != null) ? ", baseline " + f1(base.single().p99()) + " ms" : "")
					+ ((this.bareEndpoint != null && largest == this.maxListeners)
							? ", bare endpoint (g) " + f1(this.bareEndpoint.single().p99()) + " ms" : "")
					+ ((this.floor != null && this.floor.connections() == largest)
							? ", bare sockets (f) " + f1(this.floor.latency().p99()) + " ms" : "")
					+ ")");
			if (base != null) {
				chart(largest, top, base);
				double ratio = top.deliveriesPerSecond() / base.deliveriesPerSecond();
				this.targets.add(() -> "fan-out deliveries/s >= 3x baseline: " + met(ratio >= 3) + " ("
						+ String.format(Locale.ROOT, "%.2f", ratio) + "x at " + largest + " listeners: "
						+ f0(top.deliveriesPerSecond()) + " vs " + f0(base.deliveriesPerSecond()) + "/s)");
			}
		}
	}

	// The two fan-out targets at the largest N as bars: quicker to take in than the table's ratios.
	private void chart(int listeners, FanoutResult notifyListen, FanoutResult baseline) {
		Map<String, Double> throughput = new LinkedHashMap<>();
		throughput.put(NOTIFY_LISTEN, notifyListen.deliveriesPerSecond());
		throughput.put(BASELINE, baseline.deliveriesPerSecond());
		throughput.put("3x baseline (target)", 3 * baseline.deliveriesPerSecond());
		Map<String, Double> p99 = new LinkedHashMap<>();
		if (this.floor != null && this.floor.connections() == listeners) {
			p99.put("bare sockets (f)", this.floor.latency().p99());
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

	// (c): every listener on a channel of its own; the server notifies each channel once at a steady rate.
	private void manyChannels(ServerProcess notifyListen, ServerProcess baseline) throws Exception {
		int n = this.maxListeners;
		int rate = intOption("rate", 1_000);
		line("## (c) Many channels: " + n + " listeners, one channel each, " + rate + " notifications/s");
		line("");
		line("| server | listeners | achieved notify/s | p50 ms | p99 ms | max ms | delivered / expected | lost |");
		line("| --- | --- | --- | --- | --- | --- | --- | --- |");
		Map<String, double[]> results = new LinkedHashMap<>();
		for (ServerProcess server : List.of(notifyListen, baseline)) {
			List<LoadClient.Listener> listeners = new ArrayList<>();
			openAndAwait(server, n, (i) -> "Item/m" + i + "/changed", listeners);
			DeliveryRecorder recorder = new DeliveryRecorder(n);
			this.client.recordInto(recorder);
			double seconds = server.notifyMany("Item", "m", "changed", listeners.size(), rate, listeners.size());
			recorder.awaitCount(listeners.size(), DELIVERY_TIMEOUT);
			Thread.sleep(300);
			DeliveryRecorder.Latency latency = recorder.latency();
			long lost = lost(server, listeners.size(), recorder.count());
			results.put(server.name(), new double[] { latency.p50(), latency.p99() });
			line(row(server.name(), listeners.size(), f0(listeners.size() / seconds), f1(latency.p50()),
					f1(latency.p99()), f1(latency.max()), recorder.count() + " / " + listeners.size(), lost));
			closeAll(server, listeners);
		}
		if (results.size() == 2) {
			line("| ratio notify-listen / baseline | | | " + ratio(results.get(NOTIFY_LISTEN)[0], results.get(BASELINE)[0])
					+ " | " + ratio(results.get(NOTIFY_LISTEN)[1], results.get(BASELINE)[1]) + " | | | |");
		}
		line("");
	}

	// (d): the same fan-out through a @NotifyListen handler (once per connection, as its user) and bare.
	private void handler(ServerProcess notifyListen, ServerProcess baseline) throws Exception {
		int n = Math.min(this.maxListeners, intOption("handler-listeners", 1_000));
		line("## (d) @NotifyListen handler path vs bare messages, " + n + " listeners on one channel");
		line("");
		line(FanoutResult.HEADER.replace("| server |", "| path |"));
		line(FanoutResult.SEPARATOR);
		Map<String, FanoutResult> results = new LinkedHashMap<>();
		record Path(String label, ServerProcess server, String action) {
		}
		for (Path path : List.of(new Path("notify-listen @NotifyListen handler", notifyListen, "view"),
				new Path("notify-listen bare", notifyListen, "changed"), new Path("baseline bare", baseline, "changed"))) {
			List<LoadClient.Listener> listeners = new ArrayList<>();
			openAndAwait(path.server(), n, (i) -> "Item/2/" + path.action(), listeners);
			FanoutResult result = measureFanout(path.server(), "Item", "2", path.action(), listeners.size());
			results.put(path.label(), result);
			line(result.row(path.label(), n));
			closeAll(path.server(), listeners);
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

	// (e): two nodes that share one RabbitMQ stream as their log, against one node with its
	// in-memory log and as many listeners. Every notification is sent on node A, so that what node
	// B delivers has gone through the broker; node A's own listeners are served from the stream too.
	private void multiNode(String heap) throws Exception {
		int n = Math.min(this.maxListeners, intOption("multinode-listeners", 10_000));
		line("## (e) Several nodes on a RabbitMQ stream (127.0.0.1:" + STREAM_PORT + "): fan-out to " + n + " listeners");
		line("");
		if (!streamBrokerAnswers()) {
			line("Skipped: no stream broker answers on 127.0.0.1:" + STREAM_PORT
					+ " (start one with `.ci/rabbitmq start`).");
			line("");
			return;
		}
		FanoutResult single;
		try (ServerProcess node = ServerProcess.start(NOTIFY_LISTEN + "-single-node", NotifyListenBenchmarkServer.class,
				true, container(), heap, this.logs, jvmOptions(), withTuning(notifyListenProperties(false)))) {
			warmUp(node);
			List<LoadClient.Listener> listeners = new ArrayList<>();
			openAndAwait(node, n, (i) -> "Item/4/changed", listeners);
			single = measureFanout(node, "Item", "4", "changed", listeners.size());
			closeAll(node, listeners);
		}
		FanoutResult twoNodes;
		List<String> connectionRows = new ArrayList<>();
		List<String> connectionCounts = new ArrayList<>();
		boolean constant = true;
		try (ServerProcess nodeA = ServerProcess.start(NOTIFY_LISTEN + "-node-a", NotifyListenBenchmarkServer.class, true,
				container(), heap, this.logs, jvmOptions(), withTuning(notifyListenProperties(true)));
				ServerProcess nodeB = ServerProcess.start(NOTIFY_LISTEN + "-node-b", NotifyListenBenchmarkServer.class,
						true, container(), heap, this.logs, jvmOptions(), withTuning(notifyListenProperties(true)))) {
			// Each warm-up notifies on its own node: both reach the stream before anything is measured.
			warmUp(nodeA);
			warmUp(nodeB);
			List<ServerProcess> nodes = List.of(nodeA, nodeB);
			int[] idle = { nodeA.connectionsTo(STREAM_PORT), nodeB.connectionsTo(STREAM_PORT) };
			List<List<LoadClient.Listener>> listeners = List.of(new ArrayList<>(), new ArrayList<>());
			openAndAwait(nodeA, n / 2, (i) -> "Item/4/changed", listeners.get(0));
			openAndAwait(nodeB, n - n / 2, (i) -> "Item/4/changed", listeners.get(1));
			for (int i = 0; i < nodes.size(); i++) {
				int busy = nodes.get(i).connectionsTo(STREAM_PORT);
				constant &= (busy > 0 && busy == idle[i]);
				connectionRows.add(row(nodes.get(i).name(), listeners.get(i).size(), idle[i], busy));
				connectionCounts.add(nodes.get(i).name() + " " + idle[i] + " idle, " + busy + " with "
						+ listeners.get(i).size() + " listeners");
			}
			int held = listeners.get(0).size() + listeners.get(1).size();
			twoNodes = measureFanout(nodeA, nodes, "Item", "4", "changed", held);
			closeAll(nodeA, listeners.get(0));
			closeAll(nodeB, listeners.get(1));
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
		this.targets.add(() -> "two nodes on the stream >= 0.8x one node's fan-out deliveries/s: " + met(ratio >= 0.8)
				+ " (" + String.format(Locale.ROOT, "%.2f", ratio) + "x at " + n + " listeners: "
				+ f0(twoNodes.deliveriesPerSecond()) + " vs " + f0(single.deliveriesPerSecond()) + "/s)");
		boolean brokerConnectionsConstant = constant;
		this.targets.add(() -> "broker connections per node independent of its listeners: "
				+ met(brokerConnectionsConstant) + " (" + String.join("; ", connectionCounts) + ")");
	}

	private void fanoutRatios(Map<String, Map<Integer, FanoutResult>> fanouts) {
		for (Map.Entry<Integer, FanoutResult> entry : fanouts.getOrDefault(NOTIFY_LISTEN, Map.of()).entrySet()) {
			FanoutResult base = fanouts.getOrDefault(BASELINE, Map.of()).get(entry.getKey());
			if (base != null) {
				line(ratioRow("ratio notify-listen / baseline", entry.getKey(), entry.getValue(), base));
			}
		}
	}

	private static String ratioRow(String label, int listeners, FanoutResult value, FanoutResult base) {
		return "| " + label + " | " + listeners + " | " + ratio(value.single().p50(), base.single().p50()) + " | "
				+ ratio(value.single().p99(), base.single().p99()) + " | " + ratio(value.single().max(), base.single().max())
				+ " | " + ratio(value.deliveriesPerSecond(), base.deliveriesPerSecond()) + " | "
				+ ratio(value.burst().p99(), base.burst().p99()) + " | | | "
				+ ratio(value.serverCpuMicros(), base.serverCpuMicros()) + " | "
				+ ratio(value.clientCpuMicros(), base.clientCpuMicros()) + " |";
	}

	private FanoutResult measureFanout(ServerProcess server, String entity, String id, String action, int n)
			throws Exception {
		return measureFanout(server, List.of(server), entity, id, action, n);
	}

	// --repeat: the same measurement several times in a row, each figure reported as its median, so
	// that one disturbed run does not decide a ratio. Notified on one server and delivered by all the
	// nodes (those of (e)): n counts the listeners of every node, and the server CPU is theirs together.
	private FanoutResult measureFanout(ServerProcess notified, List<ServerProcess> nodes, String entity, String id,
			String action, int n) throws Exception {
		List<FanoutResult> runs = new ArrayList<>();
		for (int run = 0; run < Math.max(1, intOption("repeat", 1)); run++) {
			runs.add(measureFanoutOnce(notified, nodes, entity, id, action, n));
		}
		return FanoutResult.median(runs);
	}

	private FanoutResult measureFanoutOnce(ServerProcess notified, List<ServerProcess> nodes, String entity, String id,
			String action, int n) throws Exception {
		int notifies = intOption("latency-notifies", 5);
		long[] serverCpuBefore = cpuNanos(nodes);
		long[] clientCpuBefore = ServerProcess.cpuNanos(ProcessHandle.current().pid());
		DeliveryRecorder single = new DeliveryRecorder(n * notifies);
		this.client.recordInto(single);
		for (int i = 1; i <= notifies; i++) {
			notified.notify(entity, id, action, 1);
			single.awaitCount((long) n * i, Duration.ofSeconds(15));
			Thread.sleep(100);
		}
		int burst = intOption("burst", 20);
		DeliveryRecorder bursty = new DeliveryRecorder(n * burst);
		this.client.recordInto(bursty);
		long start = System.nanoTime();
		notified.notify(entity, id, action, burst);
		bursty.awaitCount((long) n * burst, DELIVERY_TIMEOUT);
		long elapsed = Math.max(1, bursty.lastNanos() - start);
		// Read before the pause, which is idle time; includes the single notifications' pauses.
		long[] serverCpu = cpuNanos(nodes);
		long[] clientCpu = ServerProcess.cpuNanos(ProcessHandle.current().pid());
		Thread.sleep(300);
		long expected = (long) n * (notifies + burst);
		long delivered = single.count() + bursty.count();
		long lost = lost(notified, expected, delivered);
		return new FanoutResult(single.latency(), bursty.latency(), bursty.count() / (elapsed / 1e9), delivered,
				expected, lost, perDelivery(serverCpu[0] - serverCpuBefore[0], delivered),
				perDelivery(serverCpu[1] - serverCpuBefore[1], delivered),
				perDelivery(clientCpu[0] - clientCpuBefore[0], delivered),
				perDelivery(clientCpu[1] - clientCpuBefore[1], delivered));
	}

	private static long[] cpuNanos(List<ServerProcess> servers) {
		long[] total = new long[2];
		for (ServerProcess server : servers) {
			long[] cpu = ServerProcess.cpuNanos(server.pid());
			total[0] += cpu[0];
			total[1] += cpu[1];
		}
		return total;
	}

	private static double perDelivery(long nanos, long delivered) {
		return nanos / 1e3 / Math.max(1, delivered);
	}

	private long lost(ServerProcess server, long expected, long delivered) {
		long lost = expected - delivered;
		if (server.name().startsWith(NOTIFY_LISTEN)) {
			this.totalLostNotifyListen += Math.abs(lost);
		}
		return lost;
	}

	private int openAndAwait(ServerProcess server, int count, java.util.function.IntFunction<String> channelOf,
			List<LoadClient.Listener> listeners) throws Exception {
		if (count <= 0) {
			return listeners.size();
		}
		int offset = listeners.size();
		long start = System.nanoTime();
		List<LoadClient.Listener> opened = this.client.open(server.target(), count, (i) -> channelOf.apply(offset + i));
		listeners.addAll(opened);
		long subscribed = server.awaitSubscriptions(listeners.size(), SUBSCRIBE_TIMEOUT);
		Thread.sleep(500);
		System.out.printf(Locale.ROOT, "  [%s] %d listeners open (%d asked), server counts %d subscriptions, %.1f s%s%n",
				server.name(), listeners.size(), offset + count, subscribed, (System.nanoTime() - start) / 1e9,
				(opened.size() < count) ? "; last error: " + this.client.lastError() : "");
		return listeners.size();
	}

	private void closeAll(ServerProcess server, List<LoadClient.Listener> listeners) throws Exception {
		this.client.close(listeners);
		int left = server.awaitConnectionsAtMost(0, Duration.ofSeconds(60));
		if (left > 0) {
			System.out.println("  [" + server.name() + "] " + left + " connections still open after close");
		}
		listeners.clear();
	}

	private static String counters(ServerProcess.Stats stats) {
		return "delivered " + stats.delivered() + ", dropped " + stats.dropped();
	}

	private static boolean streamBrokerAnswers() {
		try (java.net.Socket socket = new java.net.Socket()) {
			socket.connect(new java.net.InetSocketAddress("127.0.0.1", STREAM_PORT), 2_000);
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}

	private static long openFileLimit() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
				if (line.startsWith("Max open files")) {
					return Long.parseLong(line.split("\\s+")[3]);
				}
			}
		}
		catch (Exception ex) {
			// Unknown outside Linux.
		}
		return -1;
	}

	// Before the servers start: the floor's two processes hold 2 x N sockets of their own.
	private void floor() throws Exception {
		int connections = this.maxListeners;
		int rounds = intOption("latency-notifies", 5);
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
			// The one with as many writers as notify-listen's default outbound pool on two cores.
			this.floor = floor;
			line(row(floor.connections(), threads, f1(floor.latency().p50()), f1(floor.latency().p99()),
					f1(floor.latency().max()), floor.delivered() + " / " + floor.expected(),
					f1(floor.writerCpuMicros()) + " (" + f1(floor.writerSystemMicros()) + ")",
					f1(floor.readerCpuMicros()) + " (" + f1(floor.readerSystemMicros()) + ")"));
		}
		line("");
	}

	// The fan-out of (b) to N listeners through the container's own WebSocket, with nothing of
	// Spring's messaging above it; after (b), so that the load generator is as warm as it was there
	// (run first, it cost the load generator half as much again per message).
	private void bareEndpoint(String heap) throws Exception {
		try (ServerProcess endpoint = ServerProcess.start(BARE_ENDPOINT, BareEndpointBenchmarkServer.class, false,
				container(), heap, this.logs, jvmOptions(), withTuning(new ArrayList<>()))) {
			warmUp(endpoint);
			ServerProcess.Stats before = endpoint.stats(true);
			List<LoadClient.Listener> listeners = new ArrayList<>();
			openAndAwait(endpoint, this.maxListeners, (i) -> "Item/1/changed", listeners);
			int held = listeners.size();
			ServerProcess.Stats idle = endpoint.stats(true);
			double heapKiB = (idle.heapUsed() - before.heapUsed()) / 1024.0 / Math.max(1, held);
			double rssKiB = (idle.rss() - before.rss()) / 1024.0 / Math.max(1, held);
			FanoutResult result = measureFanout(endpoint, "Item", "1", "changed", held);
			closeAll(endpoint, listeners);
			if (held == this.maxListeners) {
				this.bareEndpoint = result;
			}
			line("## (g) Bare endpoint: the container's WebSocket, no Spring messaging");
			line("");
			line("The fan-out of (b) on a Jakarta WebSocket endpoint of the same container (" + container()
					+ ") that speaks just enough STOMP for the load generator and writes each MESSAGE frame with "
					+ "one blocking sendText from " + "four threads: no broker, no security, no queue. What any "
					+ "STOMP server on this container reaches at best, for reading (b) against.");
			line("");
			line(FanoutResult.HEADER);
			line(FanoutResult.SEPARATOR);
			line(result.row(BARE_ENDPOINT, held));
			line("");
			line("Idle, measured as in (a): " + f1(heapKiB) + " KiB heap and " + f1(rssKiB) + " KiB RSS per connection at "
					+ held + " listeners (" + idle.connections() + " on the server): the container's own share of (a).");
			line("");
		}
	}

	private int intOption(String name, int defaultValue) {
		return Integer.parseInt(this.options.getOrDefault(name, String.valueOf(defaultValue)));
	}

	private void line(String text) {
		System.out.println(text);
		this.report.append(text).append('\n');
	}

	static String row(Object... cells) {
		StringBuilder row = new StringBuilder("|");
		for (Object cell : cells) {
			row.append(' ').append(cell).append(" |");
		}
		return row.toString();
	}

	static String f0(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	static String f1(double value) {
		return String.format(Locale.ROOT, "%.1f", value);
	}

	private static String ratio(double value, double baseline) {
		return (baseline == 0 || Double.isNaN(value) || Double.isNaN(baseline)) ? "n/a"
				: String.format(Locale.ROOT, "%.2fx", value / baseline);
	}

	private static String met(boolean met) {
		return met ? "**met**" : "**missed**";
	}

	/**
	 * One fan-out measurement.
	 * @param single latency of single notifications
	 * @param burst latency within the burst
	 * @param deliveriesPerSecond deliveries per second within the burst
	 * @param delivered messages received
	 * @param expected messages that should have been received
	 * @param lost expected minus delivered
	 * @param serverCpuMicros the server's CPU time per delivered message, in microseconds
	 * @param serverSystemMicros the kernel's part of it
	 * @param clientCpuMicros the load generator's CPU time per delivered message, in microseconds
	 * @param clientSystemMicros the kernel's part of it
	 */
	record FanoutResult(DeliveryRecorder.Latency single, DeliveryRecorder.Latency burst, double deliveriesPerSecond,
			long delivered, long expected, long lost, double serverCpuMicros, double serverSystemMicros,
			double clientCpuMicros, double clientSystemMicros) {

		static final String HEADER = "| server | listeners | p50 ms | p99 ms | max ms | deliveries/s (burst) "
				+ "| burst p99 ms | delivered / expected | lost | server CPU µs/delivery (kernel) "
				+ "| client CPU µs/delivery (kernel) |";

		static final String SEPARATOR = "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

		static FanoutResult median(List<FanoutResult> runs) {
			if (runs.size() == 1) {
				return runs.get(0);
			}
			return new FanoutResult(
					new DeliveryRecorder.Latency(median(runs, (run) -> run.single.p50()),
							median(runs, (run) -> run.single.p99()), median(runs, (run) -> run.single.max())),
					new DeliveryRecorder.Latency(median(runs, (run) -> run.burst.p50()),
							median(runs, (run) -> run.burst.p99()), median(runs, (run) -> run.burst.max())),
					median(runs, FanoutResult::deliveriesPerSecond),
					runs.stream().mapToLong(FanoutResult::delivered).sum(),
					runs.stream().mapToLong(FanoutResult::expected).sum(),
					runs.stream().mapToLong(FanoutResult::lost).sum(), median(runs, FanoutResult::serverCpuMicros),
					median(runs, FanoutResult::serverSystemMicros), median(runs, FanoutResult::clientCpuMicros),
					median(runs, FanoutResult::clientSystemMicros));
		}

		private static double median(List<FanoutResult> runs, java.util.function.ToDoubleFunction<FanoutResult> figure) {
			double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
			int middle = values.length / 2;
			return (values.length % 2 == 1) ? values[middle] : (values[middle - 1] + values[middle]) / 2;
		}

		String row(String server, int listeners) {
			return BenchmarkMain.row(server, listeners, f1(this.single.p50()), f1(this.single.p99()),
					f1(this.single.max()), f0(this.deliveriesPerSecond), f1(this.burst.p99()),
					this.delivered + " / " + this.expected, this.lost,
					f1(this.serverCpuMicros) + " (" + f1(this.serverSystemMicros) + ")",
					f1(this.clientCpuMicros) + " (" + f1(this.clientSystemMicros) + ")");
		}

	}

}
