package io.notifylisten.internal.log;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
