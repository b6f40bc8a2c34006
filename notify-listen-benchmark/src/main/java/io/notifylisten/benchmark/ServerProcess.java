package io.notifylisten.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

import io.notifylisten.benchmark.client.LoadClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One benchmark server in a JVM of its own, started from this JVM's class path, so that
 * its heap, RSS and file descriptors are its own and the load generator's are not
 * counted.
 */
final class ServerProcess implements AutoCloseable {

	private static final JsonMapper json = JsonMapper.shared();

	private static final Duration STARTUP = Duration.ofSeconds(120);

	private final String name;

	private final Process process;

	private final String baseUrl;

	private final LoadClient.Target target;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private ServerProcess(String name, Process process, String baseUrl, LoadClient.Target target) {
		this.name = name;
		this.process = process;
		this.baseUrl = baseUrl;
		this.target = target;
	}

	static ServerProcess start(String name, Class<?> mainClass, boolean notifyListen, String container, String heap,
			Path logDirectory, List<String> jvmOptions, List<String> properties) throws Exception {
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("-Xmx" + heap);
		// The whole heap committed and touched at start: otherwise the heap grows during
		// the measurements and its page faults land in them as kernel time, more for the
		// server that allocates more (seen as twice the baseline's kernel time per
		// delivery before this).
		command.add("-Xms" + heap);
		command.add("-XX:+AlwaysPreTouch");
		// G1 (the JVM's default) unless --server-jvm names another collector.
		if (jvmOptions.stream().noneMatch((option) -> option.matches("-XX:\\+Use\\w+GC"))) {
			command.add("-XX:+UseG1GC");
		}
		command.add("-XX:+ExitOnOutOfMemoryError");
		String fileName = fileName(name);
		// "{name}" in an option stands for this server, so each one writes files of its
		// own.
		jvmOptions.forEach((option) -> command.add(option.replace("{name}", fileName)));
		command.add("-cp");
		command.add(classPath(container));
		command.add(mainClass.getName());
		command.add("--server.address=127.0.0.1");
		command.add("--server.port=" + port);
		// Tomcat's default of 8192 connections would cap both servers below the 10k
		// target.
		command.add("--server.tomcat.max-connections=20000");
		command.add("--spring.main.banner-mode=off");
		command.add("--logging.level.root=WARN");
		command.addAll(properties);
		Files.createDirectories(logDirectory);
		Path log = logDirectory.resolve(fileName + ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		// A benchmark stopped with Ctrl-C or kill must not leave its servers behind.
		Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
		String baseUrl = "http://127.0.0.1:" + port;
		LoadClient.Target target = new LoadClient.Target(baseUrl, notifyListen, "/ws",
				"/topic/bench.{entity}.{id}.{action}", "user-");
		ServerProcess server = new ServerProcess(name, process, baseUrl, target);
		server.awaitStarted(log);
		return server;
	}

	// The server's name as it appears in the names of its log, profile and histogram
	// files.
	private static String fileName(String serverName) {
		return serverName.replaceAll("[^A-Za-z0-9-]", "_");
	}

	// Both containers are on this module's class path; each server gets one of them, as
	// an application that depends on spring-boot-starter-tomcat or -jetty would.
	private static String classPath(String container) {
		List<String> unwanted = switch (container) {
			case "tomcat" -> List.of("/org/eclipse/jetty/", "spring-boot-jetty", "spring-boot-starter-jetty");
			case "jetty" -> List.of("/org/apache/tomcat/", "spring-boot-tomcat", "spring-boot-starter-tomcat");
			default -> throw new IllegalArgumentException("--container must be tomcat or jetty, not " + container);
		};
		return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
			.filter((entry) -> unwanted.stream().noneMatch(entry::contains))
			.collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
	}

	/**
	 * Write the server's live-object histogram, as {@code jmap -histo:live} prints it,
	 * next to its log.
	 */
	void writeHistogram(Path logDirectory) throws Exception {
		Path jmap = Path.of(System.getProperty("java.home"), "bin", "jmap");
		Path out = logDirectory.resolve(fileName(this.name) + "-histogram.txt");
		Process histogram = new ProcessBuilder(jmap.toString(), "-histo:live", String.valueOf(pid()))
			.redirectErrorStream(true)
			.redirectOutput(out.toFile())
			.start();
		if (!histogram.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
			histogram.destroyForcibly();
		}
		System.out.println("  [" + this.name + "] histogram in " + out);
	}

	String name() {
		return this.name;
	}

	LoadClient.Target target() {
		return this.target;
	}

	long pid() {
		return this.process.pid();
	}

	/**
	 * User + system and system CPU of several processes together, as
	 * {@link #cpuNanos(long)} gives them for one.
	 */
	static long[] cpuNanos(LongStream pids) {
		long[] total = new long[2];
		pids.forEach((pid) -> {
			long[] cpu = cpuNanos(pid);
			total[0] += cpu[0];
			total[1] += cpu[1];
		});
		return total;
	}

	/**
	 * Return the CPU time a process has used so far, from {@code /proc/<pid>/stat}: user
	 * and system time of all its threads, and system time alone (the kernel's share:
	 * socket reads and writes); {@code {-1, -1}} where there is no such file. Ticks of 10
	 * ms (Linux' USER_HZ).
	 */
	static long[] cpuNanos(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
			// The command name in parentheses may hold spaces: count fields after its
			// closing one.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			long user = Long.parseLong(fields[11]) * 10_000_000L;
			long system = Long.parseLong(fields[12]) * 10_000_000L;
			return new long[] { user + system, system };
		}
		catch (IOException | RuntimeException ex) {
			return new long[] { -1, -1 };
		}
	}

	/**
	 * Count the established TCP connections this server holds to a port of 127.0.0.1,
	 * from the sockets in {@code /proc/<pid>/fd} and the connection tables
	 * {@code /proc/<pid>/net/tcp} and {@code tcp6} (where the JVM's sockets usually are,
	 * as IPv4-mapped addresses); -1 where there are no such files.
	 */
	int connectionsTo(int port) {
		String pid = String.valueOf(pid());
		try {
			Set<String> sockets = new HashSet<>();
			try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(Path.of("/proc", pid, "fd"))) {
				for (Path descriptor : descriptors) {
					String target = readLinkOrEmpty(descriptor);
					if (target.startsWith("socket:[")) {
						sockets.add(target.substring(8, target.length() - 1));
					}
				}
			}
			// 127.0.0.1 as the kernel prints it, in both tables, with the port in hex.
			String remote = String.format(java.util.Locale.ROOT, "0100007F:%04X", port);
			int count = 0;
			for (String table : new String[] { "tcp", "tcp6" }) {
				Path file = Path.of("/proc", pid, "net", table);
				if (!Files.exists(file)) {
					continue;
				}
				for (String line : Files.readAllLines(file)) {
					// sl local_address rem_address st ... inode: state 01 is ESTABLISHED.
					String[] fields = line.trim().split("\\s+");
					if (fields.length > 9 && fields[2].endsWith(remote) && fields[3].equals("01")
							&& sockets.contains(fields[9])) {
						count++;
					}
				}
			}
			return count;
		}
		catch (IOException ex) {
			return -1;
		}
	}

	// A descriptor may close between listing and reading it.
	private static String readLinkOrEmpty(Path descriptor) {
		try {
			return Files.readSymbolicLink(descriptor).toString();
		}
		catch (IOException ex) {
			return "";
		}
	}

	/**
	 * Heap (after GC when asked), RSS, connections and subscriptions as the server counts
	 * them.
	 */
	Stats stats(boolean gc) throws Exception {
		JsonNode stats = get("/bench/stats?gc=" + gc);
		return new Stats(stats.get("heapUsed").asLong(), stats.get("rss").asLong(), stats.get("connections").asInt(),
				stats.get("subscriptions").asLong(), stats.path("notify.listen.delivered").asLong(-1),
				stats.path("notify.listen.dropped").asLong(-1), stats.path("notify.listen.conflated").asLong(-1));
	}

	/**
	 * The server's hand-offs of notifications to WebSocket sessions so far: how many, and
	 * their summed time from each notification's {@code changedAt}, in microseconds;
	 * zeros where the server keeps no meters.
	 */
	long[] handOffs() throws Exception {
		JsonNode stats = get("/bench/stats");
		return new long[] { stats.path("handOffCount").asLong(0), stats.path("handOffMicros").asLong(0) };
	}

	/** Notify one channel {@code count} times, back to back, on the server. */
	void notify(String entity, String id, String action, int count) throws Exception {
		post("/bench/notify?entity=" + entity + "&id=" + id + "&action=" + action + "&count=" + count);
	}

	/**
	 * Notify {@code total} times at {@code rate}/s over {@code channels} ids; returns
	 * seconds taken.
	 */
	double notifyMany(String entity, String idPrefix, String action, int channels, int rate, int total)
			throws Exception {
		return post("/bench/notify-many?entity=" + entity + "&idPrefix=" + idPrefix + "&action=" + action + "&channels="
				+ channels + "&rate=" + rate + "&total=" + total)
			.get("seconds")
			.asDouble();
	}

	/**
	 * Wait until the server counts at least this many subscriptions; return what it
	 * counts.
	 */
	long awaitSubscriptions(long expected, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		long subscriptions;
		while ((subscriptions = stats(false).subscriptions()) < expected && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		return subscriptions;
	}

	/**
	 * Wait until the server counts at most this many connections; return what it counts.
	 */
	int awaitConnectionsAtMost(int expected, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		int connections;
		while ((connections = stats(false).connections()) > expected && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		return connections;
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
		}
	}

	private void awaitStarted(Path log) throws Exception {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited at startup; see " + log);
			}
			try {
				get("/bench/stats");
				return;
			}
			catch (IOException ex) {
				Thread.sleep(250);
			}
		}
		close();
		throw new IllegalStateException(this.name + " did not start within " + STARTUP + "; see " + log);
	}

	private JsonNode get(String path) throws Exception {
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + path)).GET());
	}

	private JsonNode post(String path) throws Exception {
		return send(HttpRequest.newBuilder(URI.create(this.baseUrl + path)).POST(HttpRequest.BodyPublishers.noBody()));
	}

	private JsonNode send(HttpRequest.Builder request) throws Exception {
		HttpResponse<String> response = this.http.send(request.timeout(Duration.ofSeconds(150)).build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException(this.name + " answered " + response.statusCode() + ": " + response.body());
		}
		return json.readTree(response.body());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * What the server reports about itself.
	 *
	 * @param heapUsed heap in use, bytes
	 * @param rss resident set size, bytes, or -1
	 * @param connections STOMP connections
	 * @param subscriptions STOMP subscriptions
	 * @param delivered notify-listen's delivered counter, or -1 without it
	 * @param dropped notify-listen's dropped counter, or -1 without it
	 * @param conflated notify-listen's conflated counter, or -1 without it
	 */
	record Stats(long heapUsed, long rss, int connections, long subscriptions, long delivered, long dropped,
			long conflated) {

	}

}
