package io.notifylisten.internal.log;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.notifylisten.testapp.OrdersTestApplication;

/**
 * A node of the test application in a process of its own, for the tests that kill one
 * with SIGKILL ({@link Process#destroyForcibly()}), as a crash would.
 */
public final class NodeProcess {

	private NodeProcess() {
	}

	/**
	 * Return a free port on 127.0.0.1 below Linux's ephemeral range (32768 and up), from
	 * which outgoing connections take their local ports: a node that takes seconds to
	 * bind its port, or is restarted on it, cannot lose it to one of those meanwhile.
	 * @return the port
	 */
	public static int freePort() throws IOException {
		for (int attempt = 0; attempt < 200; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(20000, 32000);
			try (ServerSocket socket = new ServerSocket()) {
				socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
				return port;
			}
			catch (IOException ex) {
				// taken: try another
			}
		}
		throw new IOException("No free port between 20000 and 32000 on 127.0.0.1");
	}

	/**
	 * Start a node and wait until it answers HTTP.
	 * @param name names its log file, {@code target/<name>.log}
	 * @param port the port it listens on, on 127.0.0.1 (must be among the properties)
	 * @param properties Spring Boot properties, {@code name=value}
	 * @return the running process
	 */
	public static Process start(String name, int port, String... properties) throws Exception {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
						"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
						OrdersTestApplication.class.getName()));
		for (String property : properties) {
			command.add("--" + property);
		}
		File log = new File("target/" + name + ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log))
			.start();
		HttpClient http = HttpClient.newHttpClient();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		while (System.nanoTime() < deadline && process.isAlive()) {
			try {
				HttpResponse<String> answer = http.send(
						HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rest/pusher/key")).build(),
						HttpResponse.BodyHandlers.ofString());
				if (answer.statusCode() == 200) {
					return process;
				}
			}
			catch (IOException ex) {
				// not up yet
			}
			Thread.sleep(200);
		}
		process.destroyForcibly();
		throw new IllegalStateException(
				"Node " + name + " did not start on port " + port + "; see " + log.getAbsolutePath());
	}

}
