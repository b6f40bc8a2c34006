package io.notifylisten.internal.channel;

import java.time.Duration;

import io.notifylisten.internal.channel.TypeFilterIntegrationTests.TicketChange;
import io.notifylisten.internal.channel.TypeFilterIntegrationTests.Tickets;
import io.notifylisten.internal.log.RabbitStreamBroker;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes sharing one real RabbitMQ stream: a notification from node A reaches the
 * filtered listeners to its type on both nodes by one rule, each node reading the message
 * from the stream and checking each listener's filter and access.
 */
class TypeFilterAcrossNodesTests {

	// Longer than ListenerClient.QUIET: a message to another node goes through the broker
	// first.
	private static final Duration QUIET = Duration.ofMillis(700);

	@Test
	void aNotificationFromOneNodeReachesTheMatchingFilteredListenersOnBoth() throws Exception {
		RabbitStreamBroker broker = RabbitStreamBroker.get();
		try (ConfigurableApplicationContext nodeA = startNode(broker, "A");
				ConfigurableApplicationContext nodeB = startNode(broker, "B");
				ListenerClient bobOnA = ListenerClient.as(port(nodeA), BOB).connect();
				ListenerClient aliceOnB = ListenerClient.as(port(nodeB), ALICE).connect()) {
			bobOnA.listenWhere("Ticket/*/changed", "{\"customer\":42}");
			aliceOnB.listenWhere("Ticket/*/changed", "{\"customer\":42}");
			Thread.sleep(300);
			Notifier notifier = nodeA.getBean(Notifier.class);
			notifier.notify("Ticket", 51, "changed", new TicketChange(7, "open"));
			notifier.notify("Ticket", 3, "changed", new TicketChange(42, "open"));
			notifier.notify("Ticket", 52, "changed", new TicketChange(42, "closed"));

			// Ticket 3 is the one Bob may not read.
			assertThat(aliceOnB.nextIds(2)).containsExactly("3", "52");
			assertThat(bobOnA.nextIds(1)).containsExactly("52");
			assertThat(aliceOnB.nextMessage(QUIET)).isNull();
			assertThat(bobOnA.nextMessage(QUIET)).isNull();
		}
	}

	private static ConfigurableApplicationContext startNode(RabbitStreamBroker broker, String name) {
		return new SpringApplicationBuilder(OrdersTestApplication.class, Tickets.class)
			.properties("server.port=0", "server.address=127.0.0.1", "test.node-name=" + name,
					"notify-listen.key=type-filters-nodes", "notify-listen.secret=0123456789abcdef0123456789abcdef",
					"notify-listen.stream.host=" + broker.host(), "notify-listen.stream.port=" + broker.port(),
					"spring.datasource.url=jdbc:h2:mem:type-filters-nodes;DB_CLOSE_DELAY=-1",
					"spring.jpa.hibernate.ddl-auto=update", "spring.jmx.enabled=false")
			.run();
	}

	private static int port(ConfigurableApplicationContext node) {
		return node.getBean(Environment.class).getProperty("local.server.port", Integer.class);
	}

}
