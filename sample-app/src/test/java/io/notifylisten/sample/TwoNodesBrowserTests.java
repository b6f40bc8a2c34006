package io.notifylisten.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app, unchanged, on two nodes that share a RabbitMQ stream: a save by a user
 * on one node shows up on the page of a user on the other, through the same browser
 * client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class TwoNodesBrowserTests {

	private static final String STREAM_HOST = "127.0.0.1";

	private static final int STREAM_PORT = 5552;

	private ConfigurableApplicationContext nodeA;

	private ConfigurableApplicationContext nodeB;

	@BeforeAll
	void startNodes() {
		if (!streamBrokerAnswers()) {
			String help = "No RabbitMQ stream broker on " + STREAM_HOST + ":" + STREAM_PORT
					+ "; start one with '.ci/rabbitmq start' (Debian) to run the two-node browser test";
			if (System.getenv("CI") != null) {
				throw new IllegalStateException(help);
			}
			Assumptions.abort(help);
		}
		this.nodeA = startNode();
		this.nodeB = startNode();
	}

	@AfterAll
	void stopNodes() {
		if (this.nodeA != null) {
			this.nodeA.close();
		}
		if (this.nodeB != null) {
			this.nodeB.close();
		}
	}

	@Test
	void showsASaveOnOneNodeOnThePageOfAUserOnTheOther() {
		try (Browser alice = Browser.start(baseUrl(this.nodeA)); Browser bob = Browser.start(baseUrl(this.nodeB))) {
			alice.loginAs(DemoUsers.ALICE).open("/orders/2");
			bob.loginAs(DemoUsers.BOB).open("/orders/2");
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			bob.waitForBadge("connected", Browser.DEFAULT_WAIT);
			alice.waitFor(By.id("order-details"), Browser.DEFAULT_WAIT);
			String next = OrderPageBrowserTests.otherThan(alice.find(By.id("order-status")).getText());

			bob.waitFor(By.id("order-form"), Browser.DEFAULT_WAIT);
			new Select(bob.find(By.id("status-input"))).selectByVisibleText(next);
			bob.find(By.id("save-order")).click();

			alice.waitForText(By.id("order-status"), next, Duration.ofSeconds(3));
			assertThat(alice.find(By.id("order-changed-by")).getText()).isEqualTo(DemoUsers.BOB);
		}
	}

	private ConfigurableApplicationContext startNode() {
		// As command line arguments: they win over the sample's application.yml, as on a
		// real node.
		return new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0",
				"--notify-listen.key=sample-two-nodes", "--notify-listen.stream.host=" + STREAM_HOST,
				"--notify-listen.stream.port=" + STREAM_PORT,
				// One database for both nodes, as in production; the second node keeps
				// what the first made.
				"--spring.datasource.url=jdbc:h2:mem:two-nodes;DB_CLOSE_DELAY=-1",
				"--spring.jpa.hibernate.ddl-auto=update", "--spring.jmx.enabled=false");
	}

	private static String baseUrl(ConfigurableApplicationContext node) {
		return "http://127.0.0.1:" + node.getBean(Environment.class).getProperty("local.server.port");
	}

	private static boolean streamBrokerAnswers() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(STREAM_HOST, STREAM_PORT), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
