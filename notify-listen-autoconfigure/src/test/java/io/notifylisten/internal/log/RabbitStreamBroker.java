package io.notifylisten.internal.log;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * A real RabbitMQ with its stream plugin for the tests of several nodes: Testcontainers'
 * RabbitMQ where Docker runs, otherwise the local broker that {@code .ci/rabbitmq start}
 * brings up on 127.0.0.1:5552 from Debian's package. Under CI a missing broker fails the
 * tests; on a developer machine without either, they are skipped with a message that says
 * how to run them.
 */
public abstract class RabbitStreamBroker {

	private static RabbitStreamBroker instance;

	public static synchronized RabbitStreamBroker get() {
		if (instance == null) {
			instance = DockerClientFactory.instance().isDockerAvailable() ? new Container() : new Local();
		}
		return instance;
	}

	public abstract String host();

	public abstract int port();

	/**
	 * Stop the broker as an outage would: every connection drops and new ones are
	 * refused.
	 */
	abstract void stop() throws Exception;

	/** Bring the broker back, with the streams it had. */
	abstract void start() throws Exception;

	/** End the broker with SIGKILL, as a crash would; {@link #start()} brings it back. */
	abstract void kill() throws Exception;

	boolean answers() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host(), port()), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static final class Container extends RabbitStreamBroker {

		private final int port = freePort();

		// A fixed host port: the container keeps it when it is started again after a
		// kill.
		private final RabbitMQContainer container = new RabbitMQContainer("rabbitmq:3.13-management")
			.withExposedPorts(5672, 5552)
			.withCreateContainerCmdModifier((command) -> command.getHostConfig()
				.withPortBindings(
						new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", this.port), ExposedPort.tcp(5552))));

		Container() {
			this.container.start();
			try {
				this.container.execInContainer("rabbitmq-plugins", "enable", "rabbitmq_stream");
			}
			catch (Exception ex) {
				throw new IllegalStateException("Could not enable RabbitMQ's stream plugin", ex);
			}
		}

		@Override
		public String host() {
			return "127.0.0.1";
		}

		@Override
		public int port() {
			return this.port;
		}

		@Override
		void stop() throws Exception {
			this.container.execInContainer("rabbitmqctl", "stop_app");
		}

		@Override
		void start() throws Exception {
			if (!this.container.isRunning()) {
				DockerClientFactory.instance().client().startContainerCmd(this.container.getContainerId()).exec();
				waitUntilAnswering(this);
				return;
			}
			this.container.execInContainer("rabbitmqctl", "start_app");
		}

		@Override
		void kill() {
			DockerClientFactory.instance().client().killContainerCmd(this.container.getContainerId()).exec();
		}

		private static int freePort() {
			try (ServerSocket socket = new ServerSocket(0)) {
				return socket.getLocalPort();
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	static final class Local extends RabbitStreamBroker {

		private static final Path SCRIPT = Path.of("..", ".ci", "rabbitmq");

		Local() {
			if (!answers()) {
				String help = "No Docker and no RabbitMQ stream broker on 127.0.0.1:5552; start one with "
						+ "'.ci/rabbitmq start' (Debian) to run the tests of several nodes";
				if (System.getenv("CI") != null) {
					throw new IllegalStateException(help);
				}
				Assumptions.abort(help);
			}
		}

		@Override
		public String host() {
			return "127.0.0.1";
		}

		@Override
		public int port() {
			return 5552;
		}

		@Override
		void stop() throws Exception {
			control("stop_app");
		}

		@Override
		void start() throws Exception {
			if (answers()) {
				return;
			}
			if (brokerProcessRuns()) {
				control("start_app");
			}
			else {
				run("bash", SCRIPT.toString(), "start");
			}
			waitUntilAnswering(this);
		}

		@Override
		void kill() throws Exception {
			run("bash", SCRIPT.toString(), "kill");
		}

		private static boolean brokerProcessRuns() throws Exception {
			Process process = new ProcessBuilder("rabbitmqctl", "ping").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
		}

		// rabbitmqctl now and then fails to reach a node that runs ("unable to perform an
		// operation on node", its diagnostics saying the node is up): asked again, it
		// does.
		private static void control(String command) throws Exception {
			for (int attempt = 1;; attempt++) {
				try {
					run("rabbitmqctl", command);
					return;
				}
				catch (IllegalStateException ex) {
					if (attempt == 3) {
						throw ex;
					}
					Thread.sleep(1000);
				}
			}
		}

		private static void run(String... command) throws Exception {
			if (command[0].equals("bash") && !Files.exists(SCRIPT)) {
				throw new IllegalStateException(SCRIPT.toAbsolutePath() + " not found");
			}
			Process process = new ProcessBuilder(List.of(command)).inheritIO().start();
			if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " failed");
			}
		}

	}

	private static void waitUntilAnswering(RabbitStreamBroker broker) throws InterruptedException {
		for (int i = 0; i < 120 && !broker.answers(); i++) {
			Thread.sleep(500);
		}
	}

}
