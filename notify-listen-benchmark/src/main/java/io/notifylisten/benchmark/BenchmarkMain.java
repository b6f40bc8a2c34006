package io.notifylisten.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.baseline.BaselineBenchmarkServer;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;
import org.jspecify.annotations.Nullable;

/**
 * Runs the benchmark: starts a notify-listen server and a bare Spring STOMP baseline as
 * child JVMs, drives both with the same {@link LoadClient}, and prints one Markdown table
 * per scenario with notify-listen / baseline ratios. Arguments, as {@code --name=value}
 * (one string is split on spaces):
 * <ul>
 * <li>{@code max-listeners} (10000): largest number of listeners in any scenario</li>
 * <li>{@code scenarios}
 * (floor,idle,fanout,many,handler,endpoint,multinode,presence,types,burst); also
 * {@code socketio}, Socket.IO as a peer (needs Node and npm)</li>
 * <li>{@code socketio-sizes} (1000x20,5000x20,10000x1): listeners x burst of that
 * scenario, after as many unreported rounds at each size as notify-listen's warm-up took;
 * {@code socketio-clients} (4): its Node client processes; {@code unheard-bursts} (250):
 * bursts of 20 for an object nobody listens to, on both servers first; {@code node},
 * {@code npm}: their executables</li>
 * <li>{@code rate} (1000): notifications per second in the many-channels scenario</li>
 * <li>{@code handler-listeners} (1000), {@code multinode-listeners} (10000),
 * {@code presence-members} (1000): capped by max-listeners</li>
 * <li>{@code notify-listen-properties} (none): {@code a=1,b=2} become
 * {@code --notify-listen.a=1 ...}</li>
 * <li>{@code server-jvm}, {@code server-properties} (none): comma-separated JVM options
 * and Spring properties for every server, for experiments such as JFR or
 * {@code bench.preserve-order=true}</li>
 * <li>{@code tuned} (off), {@code tuned-buffer} (1024): shrink Tomcat's per-connection
 * buffers on both servers</li>
 * <li>{@code container} (tomcat): the servlet container of both servers, {@code tomcat}
 * or {@code jetty}</li>
 * <li>{@code repeat} (1): each fan-out measurement this many times in a row, every figure
 * reported as its median</li>
 * <li>{@code warm-up-rounds} (3), {@code warm-up-max} (120), {@code warm-up-compilers}
 * (5): each fan-out measurement at least and at most this many times first, unreported,
 * until the JIT compilers took at most that percentage of the servers' CPU over the last
 * three</li>
 * <li>{@code profile} (off): each server records a JFR profile to {@code <name>.jfr} in
 * the log directory, written when it stops; {@code --profile=<file.jfc>} records with
 * those settings instead of the JDK's {@code profile}</li>
 * <li>{@code thread-cpu} (off): after each fan-out measurement, each server's CPU per
 * delivery by thread (compilers, garbage collector, outbound, broker client) and the
 * RabbitMQ server's, from {@code /proc}</li>
 * <li>{@code histogram} (off): with every listener idle at the largest N, each server's
 * live-object histogram ({@code jmap -histo:live}) goes to the log directory</li>
 * <li>{@code type-listeners} (1000), {@code type-notifies} (200): scenario (i), type
 * listeners against listeners on one object</li>
 * <li>{@code burst-listeners} (1000), {@code burst-notifies} (1000), {@code burst-orders}
 * (1000,10), {@code burst-payload} (1000 bytes), {@code burst-pause-ms} (2000),
 * {@code throttle} (250 ms): scenario (j), a burst to pages that pause reading,
 * conflation off and on</li>
 * <li>{@code latency-notifies} (5), {@code burst} (20), {@code server-heap} (3g),
 * {@code out} (target/benchmark-results.md)</li>
 * </ul>
 */
public final class BenchmarkMain {

	static final String NOTIFY_LISTEN = "notify-listen";

	static final String BASELINE = "baseline";

	static final String BARE_ENDPOINT = "bare endpoint";

	/** RabbitMQ's stream port on this machine, where the nodes of (e) share their log. */
	static final int STREAM_PORT = 5552;

	static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(120);

	static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

	final Map<String, String> options;

	final int maxListeners;

	/** The floor scenario's measurement with four writer threads, if it ran. */
	SocketFloor.@Nullable Result floor;

	/** The bare endpoint's fan-out to the largest N, if scenario (g) ran. */
	@Nullable FanoutResult bareEndpoint;

	final LoadClient client = new LoadClient();

	final StringBuilder report = new StringBuilder();

	final Path logs = Path.of("target", "benchmark-logs");

	// Written at the end: the p99 target names the bare endpoint's figure, measured after
	// (b).
	final List<java.util.function.Supplier<String>> targets = new ArrayList<>();

	long totalLostNotifyListen;

	/** How many unreported rounds the last {@link #measureFanout} ran first. */
	int lastWarmUpRounds;

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
		String scenarios = this.options.getOrDefault("scenarios",
				"floor,idle,fanout,many,handler,endpoint,multinode,presence,types,burst");
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
			new FloorScenario(this).floor();
		}
		boolean sideBySide = List.of("idle", "fanout", "many", "handler").stream().anyMatch(scenarios::contains);
		if (sideBySide) {
			sideBySide(scenarios, heap);
		}
		if (scenarios.contains("endpoint")) {
			new BareEndpointScenario(this).bareEndpoint(heap);
		}
		if (scenarios.contains("multinode")) {
			new MultiNodeScenario(this).multiNode(heap);
		}
		if (scenarios.contains("socketio")) {
			new SocketIoScenario(this).run(heap);
		}
		if (scenarios.contains("presence")) {
			new PresenceScenario(this).run(Math.min(this.maxListeners, intOption("presence-members", 1_000)), heap);
		}
		if (scenarios.contains("types")) {
			new TypeListenersScenario(this).run(heap);
		}
		if (scenarios.contains("burst")) {
			new BurstScenario(this).run(heap);
		}
		line("## Targets");
		line("");
		this.targets.forEach((target) -> line("- " + target.get()));
		line("- zero lost messages on notify-listen: " + met(this.totalLostNotifyListen == 0) + " ("
				+ this.totalLostNotifyListen + " lost in all notify-listen rows; client saw "
				+ this.client.errorFrames() + " ERROR frames, " + this.client.unexpectedCloses() + " unexpected closes"
				+ ((this.client.lastError() != null) ? ", last: " + this.client.lastError() : "") + ")");
		Path out = Path.of(this.options.getOrDefault("out", "target/benchmark-results.md"));
		Files.createDirectories(out.toAbsolutePath().getParent());
		Files.writeString(out, this.report);
		System.out.println();
		System.out.println("Written to " + out.toAbsolutePath());
	}

	// The scenarios that run notify-listen and the baseline side by side, on one pair of
	// servers.
	void sideBySide(String scenarios, String heap) throws Exception {
		try (ServerProcess notifyListen = ServerProcess.start(NOTIFY_LISTEN, NotifyListenBenchmarkServer.class, true,
				container(), heap, this.logs, jvmOptions(), withTuning(notifyListenProperties(false)));
				ServerProcess baseline = ServerProcess.start(BASELINE, BaselineBenchmarkServer.class, false,
						container(), heap, this.logs, jvmOptions(), withTuning(new ArrayList<>()))) {
			line("Servers: notify-listen pid " + notifyListen.pid() + ", baseline pid " + baseline.pid() + " (-Xmx"
					+ heap + ", JVM options " + jvmOptions() + " after the defaults in ServerProcess); logs in "
					+ this.logs + ".");
			line("");
			warmUp(notifyListen);
			warmUp(baseline);
			if (scenarios.contains("idle") || scenarios.contains("fanout")) {
				new FanOutScenario(this).idleAndFanout(notifyListen, baseline, scenarios.contains("fanout"));
			}
			if (scenarios.contains("many")) {
				new ManyChannelsScenario(this).manyChannels(notifyListen, baseline);
			}
			if (scenarios.contains("handler")) {
				new HandlerScenario(this).handler(notifyListen, baseline);
			}
			line("notify-listen's own meters at the end: " + counters(notifyListen.stats(false)) + ".");
			line("");
		}
	}

	// Every server of a run: the container, heap, JVM options and tuning asked for, logs
	// in one place.
	ServerProcess start(String name, Class<?> mainClass, boolean notifyListen, String heap, List<String> properties)
			throws Exception {
		return ServerProcess.start(name, mainClass, notifyListen, container(), heap, this.logs, jvmOptions(),
				withTuning(properties));
	}

	// A few rounds through every code path first, so that neither server is measured
	// while the JIT is still compiling; the numbers of this round are not reported.
	void warmUp(ServerProcess server) throws Exception {
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

	String container() {
		return this.options.getOrDefault("container", "tomcat");
	}

	// --tuned: the memory experiment, identical for both servers; off by default.
	List<String> jvmOptions() {
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

	List<String> withTuning(List<String> properties) {
		if (this.options.containsKey("tuned")) {
			properties.add("--bench.socket-buffer=" + intOption("tuned-buffer", 1024));
		}
		for (String property : list("server-properties")) {
			properties.add("--" + property);
		}
		return properties;
	}

	List<String> list(String option) {
		return java.util.Arrays.stream(this.options.getOrDefault(option, "").split(","))
			.map(String::trim)
			.filter((value) -> !value.isEmpty())
			.toList();
	}

	List<String> notifyListenProperties(boolean stream) {
		List<String> properties = new ArrayList<>(List.of("--notify-listen.key=bench",
				"--notify-listen.secret=benchmark-secret-0123456789abcdef0123456789"));
		// Nodes with the same key share the stream of its default name,
		// notify-listen.bench.
		if (stream) {
			properties.add("--notify-listen.stream.host=127.0.0.1");
			properties.add("--notify-listen.stream.port=" + STREAM_PORT);
		}
		// --notify-listen-properties=a=1,b=2 passes settings through, such as
		// limits.max-frame-size=4KB.
		String extra = this.options.getOrDefault("notify-listen-properties", "");
		for (String property : extra.split(",")) {
			if (!property.isBlank()) {
				properties.add("--notify-listen." + property.trim());
			}
		}
		return properties;
	}

	static String ratioRow(String label, int listeners, FanoutResult value, FanoutResult base) {
		return "| " + label + " | " + listeners + " | " + ratio(value.single().p50(), base.single().p50()) + " | "
				+ ratio(value.single().p99(), base.single().p99()) + " | "
				+ ratio(value.single().max(), base.single().max()) + " | "
				+ ratio(value.deliveriesPerSecond(), base.deliveriesPerSecond()) + " | "
				+ ratio(value.burst().p99(), base.burst().p99()) + " | | | "
				+ ratio(value.serverCpuMicros(), base.serverCpuMicros()) + " | "
				+ ratio(value.clientCpuMicros(), base.clientCpuMicros()) + " |";
	}

	FanoutResult measureFanout(ServerProcess server, String entity, String id, String action, int n) throws Exception {
		return measureFanout(server, List.of(server), entity, id, action, n);
	}

	// --repeat: the same measurement several times in a row, each figure reported as its
	// median, so that one disturbed run does not decide a ratio. Notified on one server
	// and delivered by all the nodes (those of (e)): n counts the listeners of every
	// node, and the server CPU is theirs together.
	FanoutResult measureFanout(ServerProcess notified, List<ServerProcess> nodes, String entity, String id,
			String action, int n) throws Exception {
		return measureFanout(notified, nodes, entity, id, action, n, intOption("burst", 20));
	}

	FanoutResult measureFanout(ServerProcess notified, List<ServerProcess> nodes, String entity, String id,
			String action, int n, int burst) throws Exception {
		this.lastWarmUpRounds = warmUp(notified, nodes, entity, id, action, n, burst);
		List<FanoutResult> runs = new ArrayList<>();
		for (int run = 0; run < Math.max(1, intOption("repeat", 1)); run++) {
			runs.add(measureFanoutOnce(notified, nodes, entity, id, action, n, burst));
		}
		return FanoutResult.median(runs);
	}

	// --warm-up-rounds (3), --warm-up-max (120), --warm-up-compilers (5): the same
	// measurement first, unreported, until the servers' JIT compilers took at most
	// that percentage of their CPU over the last three rounds. With 10 %, the two
	// nodes of (e) were still compiling at 7-12 % in the measured rounds, which was
	// all that set their CPU per delivery apart from one node's (1.21x; outbound
	// threads 1.00x). On two cores the JVM has one C2 thread, and the queue it leaves
	// from start-up and from the 200-listener warm-up delays the fan-out's
	// compilation: after one round at 10k the two nodes of (e) still spent 2.5 us per
	// delivery compiling, a quarter of one node's whole cost; at 1k x 20, after 13
	// rounds, as much as the outbound threads, with the hottest delivery methods
	// compiled by C2 only during the measured rounds (JFR). What is measured is a node
	// that has run for a while, as in production. Each server and setup warms up on
	// its own by the same rule.
	int warmUp(ServerProcess notified, List<ServerProcess> nodes, String entity, String id, String action, int n,
			int burst) throws Exception {
		int least = intOption("warm-up-rounds", 3);
		if (least <= 0) {
			return 0;
		}
		int most = Math.max(least, intOption("warm-up-max", 120));
		int percent = intOption("warm-up-compilers", 5);
		Deque<long[]> lastThree = new ArrayDeque<>();
		int rounds = 0;
		long compilers = 0;
		long total = 0;
		while (rounds < most) {
			long compilersBefore = compilerNanos(nodes);
			long cpuBefore = cpuNanos(nodes)[0];
			measureFanoutOnce(notified, nodes, entity, id, action, n, burst);
			rounds++;
			lastThree.addLast(new long[] { compilerNanos(nodes) - compilersBefore, cpuNanos(nodes)[0] - cpuBefore });
			if (lastThree.size() > 3) {
				lastThree.removeFirst();
			}
			compilers = lastThree.stream().mapToLong((round) -> round[0]).sum();
			total = lastThree.stream().mapToLong((round) -> round[1]).sum();
			if (rounds >= least && compilers * 100 <= total * percent) {
				break;
			}
		}
		System.out.printf(Locale.ROOT,
				"  warmed up at %d listeners x %d in %d rounds: compilers %.0f%% of the servers' CPU over the last three%n",
				n, burst, rounds, (total > 0) ? 100.0 * compilers / total : 0);
		return rounds;
	}

	private static long[] handOffs(List<ServerProcess> nodes) throws Exception {
		long[] summed = new long[2];
		for (ServerProcess node : nodes) {
			long[] handOffs = node.handOffs();
			summed[0] += handOffs[0];
			summed[1] += handOffs[1];
		}
		return summed;
	}

	private static long compilerNanos(List<ServerProcess> nodes) {
		return nodes.stream().mapToLong((node) -> ThreadCpu.of(node.pid()).compilerNanos()).sum();
	}

	FanoutResult measureFanoutOnce(ServerProcess notified, List<ServerProcess> nodes, String entity, String id,
			String action, int n, int burst) throws Exception {
		int notifies = intOption("latency-notifies", 5);
		settle(nodes);
		List<ThreadCpu> threadsBefore = threadCpu(nodes);
		long[] serverCpuBefore = cpuNanos(nodes);
		long[] clientCpuBefore = ServerProcess.cpuNanos(ProcessHandle.current().pid());
		DeliveryRecorder single = new DeliveryRecorder(n * notifies);
		this.client.recordInto(single);
		long[] handOffsBefore = handOffs(nodes);
		for (int i = 1; i <= notifies; i++) {
			notified.notify(entity, id, action, 1);
			single.awaitCount((long) n * i, Duration.ofSeconds(15));
			Thread.sleep(100);
		}
		long[] handOffs = handOffs(nodes);
		long handedOff = handOffs[0] - handOffsBefore[0];
		if (handedOff > 0) {
			// Where a single notification's time goes: until the servers handed it to the
			// pages' sessions, and until the pages read it.
			System.out.printf(Locale.ROOT,
					"  single notifications: handed to the sessions at a mean %.1f ms, received at a mean %.1f ms%n",
					(handOffs[1] - handOffsBefore[1]) / 1000.0 / handedOff, single.meanMillis());
		}
		DeliveryRecorder bursty = new DeliveryRecorder(n * burst);
		this.client.recordInto(bursty);
		long start = System.nanoTime();
		notified.notify(entity, id, action, burst);
		bursty.awaitCount((long) n * burst, DELIVERY_TIMEOUT);
		long elapsed = Math.max(1, bursty.lastNanos() - start);
		// Read before the pause, which is idle time; includes the single notifications'
		// pauses.
		long[] serverCpu = cpuNanos(nodes);
		long[] clientCpu = ServerProcess.cpuNanos(ProcessHandle.current().pid());
		List<ThreadCpu> threadsAfter = threadCpu(nodes);
		Thread.sleep(300);
		long expected = (long) n * (notifies + burst);
		long delivered = single.count() + bursty.count();
		for (int i = 0; i < threadsAfter.size(); i++) {
			String name = (i < nodes.size()) ? nodes.get(i).name() : "RabbitMQ server";
			System.out.println("  [" + name + "] CPU by thread, "
					+ threadsAfter.get(i).since(threadsBefore.get(i), delivered, 12));
		}
		long lost = lost(notified, expected, delivered);
		return new FanoutResult(single.latency(), bursty.latency(), bursty.count() / (elapsed / 1e9), delivered,
				expected, lost, perDelivery(serverCpu[0] - serverCpuBefore[0], delivered),
				perDelivery(serverCpu[1] - serverCpuBefore[1], delivered),
				perDelivery(clientCpu[0] - clientCpuBefore[0], delivered),
				perDelivery(clientCpu[1] - clientCpuBefore[1], delivered));
	}

	// Each server JVM compiles its hot code in the background for minutes after its
	// listeners connected on this machine; measured then, the compilers' CPU counts as
	// cost per delivery, and twice for two nodes. Measuring starts once no node's
	// compiler threads used more than 2% of a core over a second, or after 60 s.
	void settle(List<ServerProcess> nodes) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		long[] before = nodes.stream().mapToLong((node) -> ThreadCpu.of(node.pid()).compilerNanos()).toArray();
		while (System.nanoTime() < deadline) {
			Thread.sleep(1000);
			long[] after = nodes.stream().mapToLong((node) -> ThreadCpu.of(node.pid()).compilerNanos()).toArray();
			boolean quiet = true;
			for (int i = 0; i < after.length; i++) {
				quiet &= after[i] - before[i] <= Duration.ofMillis(20).toNanos();
			}
			if (quiet) {
				System.out.printf(Locale.ROOT, "  compilers quiet after %.0f s%n",
						60 - (deadline - System.nanoTime()) / 1e9);
				return;
			}
			before = after;
		}
		System.out.println("  compilers still busy after 60 s; measuring anyway");
	}

	// --thread-cpu: each node's threads and the RabbitMQ server, for where the time goes.
	List<ThreadCpu> threadCpu(List<ServerProcess> nodes) {
		List<ThreadCpu> readings = new ArrayList<>();
		if (this.options.containsKey("thread-cpu")) {
			nodes.forEach((node) -> readings.add(ThreadCpu.of(node.pid())));
			ThreadCpu.broker().ifPresent((broker) -> readings.add(ThreadCpu.of(broker)));
		}
		return readings;
	}

	static long[] cpuNanos(List<ServerProcess> servers) {
		return ServerProcess.cpuNanos(servers.stream().mapToLong(ServerProcess::pid));
	}

	static double perDelivery(long nanos, long delivered) {
		return nanos / 1e3 / Math.max(1, delivered);
	}

	long lost(ServerProcess server, long expected, long delivered) {
		long lost = expected - delivered;
		if (server.name().startsWith(NOTIFY_LISTEN)) {
			this.totalLostNotifyListen += Math.abs(lost);
		}
		return lost;
	}

	int openAndAwait(ServerProcess server, int count, java.util.function.IntFunction<String> channelOf,
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
		System.out.printf(Locale.ROOT,
				"  [%s] %d listeners open (%d asked), server counts %d subscriptions, %.1f s%s%n", server.name(),
				listeners.size(), offset + count, subscribed, (System.nanoTime() - start) / 1e9,
				(opened.size() < count) ? "; last error: " + this.client.lastError() : "");
		return listeners.size();
	}

	void closeAll(ServerProcess server, List<LoadClient.Listener> listeners) throws Exception {
		this.client.close(listeners);
		int left = server.awaitConnectionsAtMost(0, Duration.ofSeconds(60));
		if (left > 0) {
			System.out.println("  [" + server.name() + "] " + left + " connections still open after close");
		}
		listeners.clear();
	}

	static String counters(ServerProcess.Stats stats) {
		return "delivered " + stats.delivered() + ", dropped " + stats.dropped();
	}

	static boolean streamBrokerAnswers() {
		try (java.net.Socket socket = new java.net.Socket()) {
			socket.connect(new java.net.InetSocketAddress("127.0.0.1", STREAM_PORT), 2_000);
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}

	static long openFileLimit() {
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

	int intOption(String name, int defaultValue) {
		return Integer.parseInt(this.options.getOrDefault(name, String.valueOf(defaultValue)));
	}

	void line(String text) {
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

	static String ratio(double value, double baseline) {
		return (baseline == 0 || Double.isNaN(value) || Double.isNaN(baseline)) ? "n/a"
				: String.format(Locale.ROOT, "%.2fx", value / baseline);
	}

	static String met(boolean met) {
		return met ? "**met**" : "**missed**";
	}

	/**
	 * One fan-out measurement.
	 *
	 * @param single latency of single notifications
	 * @param burst latency within the burst
	 * @param deliveriesPerSecond deliveries per second within the burst
	 * @param delivered messages received
	 * @param expected messages that should have been received
	 * @param lost expected minus delivered
	 * @param serverCpuMicros the server's CPU time per delivered message, in microseconds
	 * @param serverSystemMicros the kernel's part of it
	 * @param clientCpuMicros the load generator's CPU time per delivered message, in
	 * microseconds
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

		private static double median(List<FanoutResult> runs,
				java.util.function.ToDoubleFunction<FanoutResult> figure) {
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
