package io.notifylisten;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * A real RabbitMQ with its STOMP plugin for relay tests: Testcontainers' RabbitMQ where Docker runs,
 * otherwise the local broker that {@code .ci/rabbitmq start} brings up on 127.0.0.1:61613 from
 * Debian's package. Under CI a missing broker fails the tests; on a developer machine without
 * either, they are skipped with a message that says how to run them.
 */
abstract class RabbitStompBroker {

	private static RabbitStompBroker instance;

	static synchronized RabbitStompBroker get() {
		if (instance == null) {
			instance = DockerClientFactory.instance().isDockerAvailable() ? new Container() : new Local();
		}
		return instance;
	}

	abstract String host();

	abstract int port();

	/** Stop the broker as an outage would: every connection drops and new ones are refused. */
	abstract void stop() throws Exception;

	/** Bring the broker back. */
	abstract void start() throws Exception;

	static final class Container extends RabbitStompBroker {

		private final RabbitMQContainer container = new RabbitMQContainer("rabbitmq:3.13-management")
			.withExposedPorts(5672, 15672, 61613);

		Container() {
			this.container.start();
			try {
				this.container.execInContainer("rabbitmq-plugins", "enable", "rabbitmq_stomp");
			}
			catch (Exception ex) {
				throw new IllegalStateException("Could not enable RabbitMQ's STOMP plugin", ex);
			}
		}

		@Override
		String host() {
			return this.container.getHost();
		}

		@Override
		int port() {
			return this.container.getMappedPort(61613);
		}

		@Override
		void stop() throws Exception {
			this.container.execInContainer("rabbitmqctl", "stop_app");
		}

		@Override
		void start() throws Exception {
			this.container.execInContainer("rabbitmqctl", "start_app");
		}

	}

	static final class Local extends RabbitStompBroker {

		private static final String NODE = System.getenv().getOrDefault("NOTIFY_LISTEN_RABBITMQ_NODE",
				"notifylisten@localhost");

		Local() {
			if (!answers()) {
				String help = "No Docker and no RabbitMQ STOMP broker on 127.0.0.1:61613; start one with "
						+ "'.ci/rabbitmq start' (Debian) to run the relay tests";
				if (System.getenv("CI") != null) {
					throw new IllegalStateException(help);
				}
				Assumptions.abort(help);
			}
		}

		@Override
		String host() {
			return "127.0.0.1";
		}

		@Override
		int port() {
			return 61613;
		}

		@Override
		void stop() throws Exception {
			rabbitmqctl("stop_app");
		}

		@Override
		void start() throws Exception {
			rabbitmqctl("start_app");
		}

		private static void rabbitmqctl(String command) throws Exception {
			Process process = new ProcessBuilder(List.of("rabbitmqctl", "-n", NODE, command)).inheritIO().start();
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException("rabbitmqctl " + command + " failed for node " + NODE);
			}
		}

		private static boolean answers() {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", 61613), 1000);
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		}

	}

}
