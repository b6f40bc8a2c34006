package io.notifylisten.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.notifylisten.benchmark.BenchmarkMain.FanoutResult;
import io.notifylisten.benchmark.client.DeliveryRecorder;
import io.notifylisten.benchmark.client.LoadClient;
import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;

import static io.notifylisten.benchmark.BenchmarkMain.NOTIFY_LISTEN;
import static io.notifylisten.benchmark.BenchmarkMain.ratio;

/**
 * Scenario (k): Socket.IO as a peer. The fan-out of (b) at three sizes (1k listeners x
 * bursts of 20, 5k x 20, 10k x 1) on notify-listen, then on Socket.IO's own Node server
 * with listeners in Node processes running {@code socket.io-client}; both from
 * {@code src/main/socketio}, at the versions its package-lock.json pins.
 */
final class SocketIoScenario {

	static final String SOCKET_IO = "Socket.IO";

	/** An object no listener of the scenario listens to. */
	private static final String UNHEARD_ID = "unheard";

	private static final int UNHEARD_BURST = 20;

	private static final Path SOURCES = Path.of("src", "main", "socketio");

	private static final List<String> FILES = List.of("package.json", "package-lock.json", "server.mjs", "client.mjs");

	private final BenchmarkMain benchmark;

	private final String node;

	SocketIoScenario(BenchmarkMain benchmark) {
		this.benchmark = benchmark;
		this.node = benchmark.options.getOrDefault("node", "node");
	}

	void run(String heap) throws Exception {
		Map<Integer, Integer> sizes = sizes();
		if (sizes.isEmpty()) {
			return;
		}
		Path directory = install();
		Map<Integer, FanoutResult> notifyListen = new LinkedHashMap<>();
		Map<Integer, Integer> warmUpRounds = new LinkedHashMap<>();
		int messageLength;
		try (ServerProcess server = this.benchmark.start(NOTIFY_LISTEN, NotifyListenBenchmarkServer.class, true, heap,
				this.benchmark.notifyListenProperties(false))) {
			this.benchmark.warmUp(server);
			for (int burst = 0; burst < unheardBursts(); burst++) {
				server.notify("Item", UNHEARD_ID, "changed", UNHEARD_BURST);
			}
			List<LoadClient.Listener> listeners = new ArrayList<>();
			for (Map.Entry<Integer, Integer> size : sizes.entrySet()) {
				this.benchmark.openAndAwait(server, size.getKey() - listeners.size(), (i) -> "Item/1/changed",
						listeners);
				printIdleCpu(NOTIFY_LISTEN, server.pid(), listeners.size());
				notifyListen.put(size.getKey(), this.benchmark.measureFanout(server, List.of(server), "Item", "1",
						"changed", listeners.size(), size.getValue()));
				// Socket.IO gets as many unreported rounds at this size.
				warmUpRounds.put(size.getKey(), this.benchmark.lastWarmUpRounds);
			}
			messageLength = this.benchmark.client.lastMessageLength();
			this.benchmark.closeAll(server, listeners);
		}
		Map<Integer, FanoutResult> socketIo = new LinkedHashMap<>();
		try (NodeServer server = NodeServer.start(this.node, directory, this.benchmark.logs)) {
			warmUp(server, directory, messageLength);
			for (int burst = 0; burst < unheardBursts(); burst++) {
				server.notify(UNHEARD_ID, UNHEARD_BURST, messageLength);
			}
			List<NodeClient> clients = new ArrayList<>();
			try {
				int open = 0;
				for (Map.Entry<Integer, Integer> size : sizes.entrySet()) {
					open += openClients(server, directory, size.getKey() - open, open, clients);
					printIdleCpu(SOCKET_IO, server.pid(), open);
					for (int round = 0; round < warmUpRounds.get(size.getKey()); round++) {
						measureOnce(server, clients, open, size.getValue(), messageLength);
					}
					socketIo.put(size.getKey(), measure(server, clients, open, size.getValue(), messageLength));
				}
			}
			finally {
				clients.forEach(NodeClient::close);
			}
		}
		report(sizes, notifyListen, socketIo, messageLength);
	}

	// --unheard-bursts (250): bursts of 20 notifications for an object nobody listens to,
	// on both servers before the first size. A measured round notifies 20 times at most,
	// so without them the path from the HTTP request to the fan-out runs a few hundred
	// times in all and is still being compiled while deliveries are measured: at 1k x 20,
	// after 13 rounds, the JIT compilers took 2-26 us of CPU per delivery (--thread-cpu),
	// as much as the outbound threads. A node that has run for a while has compiled it.
	private int unheardBursts() {
		return this.benchmark.intOption("unheard-bursts", 250);
	}

	// What a server spends with its listeners open and nothing sent, for reading the CPU
	// per delivery at small sizes, where a measurement lasts about a second.
	private static void printIdleCpu(String name, long pid, int listeners) throws InterruptedException {
		StringBuilder seconds = new StringBuilder();
		for (int second = 0; second < 4; second++) {
			long before = ServerProcess.cpuNanos(pid)[0];
			Thread.sleep(1_000);
			seconds.append((second > 0) ? ", " : "").append((ServerProcess.cpuNanos(pid)[0] - before) / 1_000_000);
		}
		System.out.printf(Locale.ROOT, "  [%s] idle with %d listeners, ms CPU in each of 4 s: %s (%d)%n", name,
				listeners, seconds, System.currentTimeMillis());
	}

	// --socketio-sizes=1000x20,5000x20: listeners x notifications per burst, capped by
	// max-listeners.
	private Map<Integer, Integer> sizes() {
		Map<Integer, Integer> sizes = new LinkedHashMap<>();
		String option = this.benchmark.options.getOrDefault("socketio-sizes", "1000x20,5000x20,10000x1");
		for (String size : option.split(",")) {
			String[] pair = size.trim().split("x");
			int listeners = Integer.parseInt(pair[0]);
			if (listeners <= this.benchmark.maxListeners) {
				sizes.put(listeners, Integer.parseInt(pair[1]));
			}
		}
		return sizes;
	}

	// Socket.IO's packages as package-lock.json pins them, into target/socketio with npm
	// ci; from npm's cache when it holds them, so that a second run needs no network.
	private Path install() throws Exception {
		Path directory = Path.of("target", "socketio");
		Files.createDirectories(directory);
		Files.createDirectories(this.benchmark.logs);
		boolean changed = false;
		for (String file : FILES) {
			Path target = directory.resolve(file);
			byte[] source = Files.readAllBytes(SOURCES.resolve(file));
			if (!Files.exists(target) || !Arrays.equals(source, Files.readAllBytes(target))) {
				Files.copy(SOURCES.resolve(file), target, StandardCopyOption.REPLACE_EXISTING);
				changed = true;
			}
		}
		if (changed || !Files.exists(directory.resolve("node_modules"))) {
			Process npm = new ProcessBuilder(this.benchmark.options.getOrDefault("npm", "npm"), "ci",
					"--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund")
				.directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(this.benchmark.logs.resolve("socket.io-npm.log").toFile())
				.start();
			if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
				npm.destroyForcibly();
				throw new IllegalStateException(
						"npm ci failed in " + directory + "; see " + this.benchmark.logs.resolve("socket.io-npm.log"));
			}
		}
		return directory;
	}

	// A few rounds first, as warmUp does for the Java servers, so that V8 has compiled
	// the paths measured.
	private void warmUp(NodeServer server, Path directory, int messageLength) throws Exception {
		List<NodeClient> clients = new ArrayList<>();
		try {
			int n = openClients(server, directory, Math.min(this.benchmark.maxListeners, 200), 0, clients);
			for (int round = 0; round < 10; round++) {
				server.notify(20, messageLength);
			}
			awaitCount(clients, (long) n * 200, BenchmarkMain.DELIVERY_TIMEOUT);
		}
		finally {
			clients.forEach(NodeClient::close);
		}
		server.awaitConnectionsAtMost(0, Duration.ofSeconds(60));
	}

	// --socketio-clients (4) processes share the listeners, so that one process's event
	// loop does not bound the delivery rate alone.
	private int openClients(NodeServer server, Path directory, int count, int open, List<NodeClient> clients)
			throws Exception {
		int processes = Math.max(1, this.benchmark.intOption("socketio-clients", 4));
		long start = System.nanoTime();
		List<NodeClient> started = new ArrayList<>();
		for (int i = 0; i < processes; i++) {
			int share = count / processes + ((i < count % processes) ? 1 : 0);
			if (share > 0) {
				started.add(NodeClient.start(this.node, directory, server.url(), share));
			}
		}
		int opened = 0;
		for (NodeClient client : started) {
			opened += client.awaitReady();
		}
		clients.addAll(started);
		long subscriptions = server.awaitSubscriptions(open + opened, BenchmarkMain.SUBSCRIBE_TIMEOUT);
		Thread.sleep(500);
		System.out.printf(Locale.ROOT, "  [%s] %d listeners open (%d asked), server counts %d subscriptions, %.1f s%n",
				SOCKET_IO, open + opened, open + count, subscriptions, (System.nanoTime() - start) / 1e9);
		return opened;
	}

	// measureFanoutOnce's measurement, with the counts and latencies read from the client
	// processes.
	private FanoutResult measure(NodeServer server, List<NodeClient> clients, int n, int burst, int messageLength)
			throws Exception {
		List<FanoutResult> runs = new ArrayList<>();
		for (int run = 0; run < Math.max(1, this.benchmark.intOption("repeat", 1)); run++) {
			runs.add(measureOnce(server, clients, n, burst, messageLength));
		}
		return FanoutResult.median(runs);
	}

	private FanoutResult measureOnce(NodeServer server, List<NodeClient> clients, int n, int burst, int messageLength)
			throws Exception {
		int notifies = this.benchmark.intOption("latency-notifies", 5);
		long[] serverCpuBefore = ServerProcess.cpuNanos(server.pid());
		long[] clientCpuBefore = clientCpu(clients);
		reset(clients);
		for (int i = 1; i <= notifies; i++) {
			server.notify(1, messageLength);
			awaitCount(clients, (long) n * i, Duration.ofSeconds(15));
			Thread.sleep(100);
		}
		DeliveryRecorder single = latencies(clients, n * notifies);
		reset(clients);
		long startMicros = epochMicros();
		server.notify(burst, messageLength);
		awaitCount(clients, (long) n * burst, BenchmarkMain.DELIVERY_TIMEOUT);
		long[] serverCpu = ServerProcess.cpuNanos(server.pid());
		long[] clientCpu = clientCpu(clients);
		long burstCount = 0;
		long lastMicros = 0;
		for (NodeClient client : clients) {
			long[] count = client.count();
			burstCount += count[0];
			lastMicros = Math.max(lastMicros, count[1]);
		}
		DeliveryRecorder bursty = latencies(clients, n * burst);
		Thread.sleep(300);
		long expected = (long) n * (notifies + burst);
		long delivered = single.count() + burstCount;
		double seconds = Math.max(1, lastMicros - startMicros) / 1e6;
		return new FanoutResult(single.latency(), bursty.latency(), burstCount / seconds, delivered, expected,
				expected - delivered, BenchmarkMain.perDelivery(serverCpu[0] - serverCpuBefore[0], delivered),
				BenchmarkMain.perDelivery(serverCpu[1] - serverCpuBefore[1], delivered),
				BenchmarkMain.perDelivery(clientCpu[0] - clientCpuBefore[0], delivered),
				BenchmarkMain.perDelivery(clientCpu[1] - clientCpuBefore[1], delivered));
	}

	private static long epochMicros() {
		Instant now = Instant.now();
		return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000;
	}

	private static long[] clientCpu(List<NodeClient> clients) {
		return ServerProcess.cpuNanos(clients.stream().mapToLong(NodeClient::pid));
	}

	private static void reset(List<NodeClient> clients) throws IOException {
		for (NodeClient client : clients) {
			client.command("reset");
		}
	}

	private static void awaitCount(List<NodeClient> clients, long expected, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			long count = 0;
			for (NodeClient client : clients) {
				count += client.count()[0];
			}
			if (count >= expected) {
				return;
			}
			Thread.sleep(5);
		}
	}

	private static DeliveryRecorder latencies(List<NodeClient> clients, int capacity) throws IOException {
		DeliveryRecorder recorder = new DeliveryRecorder(capacity);
		for (NodeClient client : clients) {
			String values = client.command("latencies").substring("latencies".length()).trim();
			if (!values.isEmpty()) {
				for (String value : values.split(",")) {
					recorder.record(Long.parseLong(value));
				}
			}
		}
		return recorder;
	}

	private void report(Map<Integer, Integer> sizes, Map<Integer, FanoutResult> notifyListen,
			Map<Integer, FanoutResult> socketIo, int messageLength) {
		line("## (k) Socket.IO as a peer: the fan-out of (b) on Socket.IO's own server");
		line("");
		line("notify-listen as in (b), then Socket.IO 4.8 (`src/main/socketio`: its Node server, listeners in "
				+ this.benchmark.intOption("socketio-clients", 4)
				+ " Node processes with socket.io-client, WebSocket transport only) on the same machine, each alone. "
				+ "Each listener is in the room of one object; the server emits to the room. Socket.IO's frames are "
				+ "padded to notify-listen's MESSAGE frame, " + messageLength + " bytes. Server CPU from /proc of the "
				+ "server process, as in (b); the client's is the Node processes' together.");
		line("");
		line(FanoutResult.HEADER.replace("| listeners |", "| listeners x burst |"));
		line(FanoutResult.SEPARATOR);
		sizes.forEach((size, burst) -> {
			String label = size + " x " + burst;
			if (notifyListen.containsKey(size)) {
				line(withLabel(notifyListen.get(size).row(NOTIFY_LISTEN, 0), label));
			}
			if (socketIo.containsKey(size)) {
				line(withLabel(socketIo.get(size).row(SOCKET_IO, 0), label));
			}
		});
		sizes.forEach((size, burst) -> {
			FanoutResult value = notifyListen.get(size);
			FanoutResult peer = socketIo.get(size);
			if (value != null && peer != null) {
				line(withLabel(BenchmarkMain.ratioRow("ratio notify-listen / Socket.IO", 0, value, peer),
						size + " x " + burst));
			}
		});
		line("");
		sizes.forEach((size, burst) -> {
			FanoutResult value = notifyListen.get(size);
			FanoutResult peer = socketIo.get(size);
			if (value != null && peer != null && size <= 5_000) {
				this.benchmark.targets.add(() -> "server CPU per delivery below Socket.IO's at " + size + " x " + burst
						+ ": " + BenchmarkMain.met(value.serverCpuMicros() < peer.serverCpuMicros()) + " ("
						+ BenchmarkMain.f1(value.serverCpuMicros()) + " vs " + BenchmarkMain.f1(peer.serverCpuMicros())
						+ " µs, " + ratio(value.serverCpuMicros(), peer.serverCpuMicros()) + ")");
			}
		});
	}

	// The listeners cell, the row's second, as listeners x burst.
	private static String withLabel(String row, String label) {
		return row.replaceFirst("^(\\| [^|]+ \\| )0 \\|",
				"$1" + java.util.regex.Matcher.quoteReplacement(label) + " |");
	}

	private void line(String text) {
		this.benchmark.line(text);
	}

	/** Socket.IO's server, {@code server.mjs}, in a Node process of its own. */
	private static final class NodeServer implements AutoCloseable {

		private final Process process;

		private final String url;

		private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

		private NodeServer(Process process, String url) {
			this.process = process;
			this.url = url;
		}

		static NodeServer start(String node, Path directory, Path logs) throws Exception {
			int port;
			try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
				port = socket.getLocalPort();
			}
			Files.createDirectories(logs);
			Path log = logs.resolve("socket.io.log");
			Process process = new ProcessBuilder(node, "server.mjs", String.valueOf(port)).directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
			NodeServer server = new NodeServer(process, "http://127.0.0.1:" + port);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (true) {
				try {
					server.stats();
					return server;
				}
				catch (IOException ex) {
					if (!process.isAlive() || System.nanoTime() > deadline) {
						server.close();
						throw new IllegalStateException("Socket.IO's server did not start; see " + log, ex);
					}
					Thread.sleep(100);
				}
			}
		}

		String url() {
			return this.url;
		}

		long pid() {
			return this.process.pid();
		}

		void notify(int count, int bytes) throws Exception {
			notify("1", count, bytes);
		}

		void notify(String id, int count, int bytes) throws Exception {
			send(HttpRequest
				.newBuilder(URI.create(this.url + "/bench/notify?entity=Item&id=" + id + "&action=changed&count="
						+ count + "&bytes=" + bytes))
				.POST(HttpRequest.BodyPublishers.noBody()));
		}

		// {connections, subscriptions}
		long[] stats() throws Exception {
			String body = send(HttpRequest.newBuilder(URI.create(this.url + "/bench/stats")).GET());
			return new long[] { field(body, "connections"), field(body, "subscriptions") };
		}

		long awaitSubscriptions(long expected, Duration timeout) throws Exception {
			long deadline = System.nanoTime() + timeout.toNanos();
			long subscriptions;
			while ((subscriptions = stats()[1]) < expected && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			return subscriptions;
		}

		void awaitConnectionsAtMost(long expected, Duration timeout) throws Exception {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (stats()[0] > expected && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
		}

		private static long field(String json, String name) {
			java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
			return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
		}

		private String send(HttpRequest.Builder request) throws Exception {
			HttpResponse<String> response = this.http.send(request.timeout(Duration.ofSeconds(60)).build(),
					HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				throw new IOException("Socket.IO's server answered " + response.statusCode());
			}
			return response.body();
		}

		@Override
		public void close() throws InterruptedException {
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}

	}

	/**
	 * One Node process of listeners, {@code client.mjs}, driven through its stdin and
	 * stdout.
	 */
	private static final class NodeClient {

		private final Process process;

		private final BufferedReader out;

		private final PrintWriter in;

		private NodeClient(Process process) {
			this.process = process;
			this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
		}

		static NodeClient start(String node, Path directory, String url, int count) throws IOException {
			Process process = new ProcessBuilder(node, "client.mjs", url, String.valueOf(count), "Item/1/changed")
				.directory(directory.toFile())
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
			Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
			return new NodeClient(process);
		}

		long pid() {
			return this.process.pid();
		}

		// Its listeners joined, or failed to; the count joined.
		int awaitReady() throws IOException {
			String line = this.out.readLine();
			if (line == null || !line.startsWith("ready ")) {
				throw new IOException("Socket.IO client process ended before its listeners were open: " + line);
			}
			return Integer.parseInt(line.substring(6).trim());
		}

		String command(String command) throws IOException {
			this.in.println(command);
			String line = this.out.readLine();
			if (line == null) {
				throw new IOException("Socket.IO client process ended");
			}
			return line;
		}

		// {received, epoch µs of the last}
		long[] count() throws IOException {
			String[] fields = command("count").split(" ");
			return new long[] { Long.parseLong(fields[1]), Long.parseLong(fields[2]) };
		}

		void close() {
			this.in.println("close");
			this.in.close();
			try {
				if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
		}

	}

}
