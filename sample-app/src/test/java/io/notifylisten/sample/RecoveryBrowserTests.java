package io.notifylisten.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.transport.OutboundTransport;
import io.notifylisten.notify.Notifier;
import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page whose connection drops gets the notifications it missed once it is back, from
 * the server's history, without reloading anything.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(90)
class RecoveryBrowserTests {

	@LocalServerPort
	private int port;

	@Autowired
	private Notifier notifier;

	@Autowired
	private ConnectionRegistry connections;

	@Autowired
	private OutboundTransport sessions;

	@Autowired
	private SimpleBrokerMessageHandler broker;

	@Autowired
	private ChannelDestinations destinations;

	@Test
	void lineNotifiedWhileThePageWasDisconnectedAppearsAfterItReconnects() {
		try (Browser alice = Browser.start(baseUrl())) {
			alice.loginAs(DemoUsers.ALICE).open("/chat");
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			// The chat channel's subscription, not just any: every page also listens to
			// notices, whose SUBSCRIBE needs no signature and so arrives first.
			alice.waitUntil(Browser.DEFAULT_WAIT,
					() -> !this.broker.getSubscriptionRegistry().findSubscriptions(chatMessage()).isEmpty());
			notifyLine(900001, "before the drop");
			alice.waitForText(By.id("chat-lines"), "before the drop", Duration.ofSeconds(3));

			for (ListenerConnection connection : this.connections.connections()) {
				this.sessions.close(connection.sessionId(), "Server going away");
			}
			// Not in the database: only the server's history can bring this line to the
			// page.
			notifyLine(900002, "while the page was away");

			alice.waitForText(By.id("chat-lines"), "while the page was away", Duration.ofSeconds(10));
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			assertThat(alice.find(By.id("chat-lines")).getText()).containsOnlyOnce("while the page was away");
		}
	}

	private Message<byte[]> chatMessage() {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setDestination(this.destinations.destinationOf(new ChannelName("ChatRoom", "lobby", "message")));
		return MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
	}

	private void notifyLine(long id, String text) {
		this.notifier.notify("ChatRoom", "lobby", "message",
				Map.of("id", id, "author", "bob", "text", text, "postedAt", Instant.now().toString()));
	}

	private String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

}
