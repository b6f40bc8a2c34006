package io.notifylisten.internal.transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.support.AbstractSubscribableChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MimeTypeUtils;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Channel notifications leave by the direct fan-out, over a real WebSocket to the real
 * application, exactly as Spring's broker path would have written them, and in order with
 * what leaves by that path.
 */
@OrdersServerTest("notify-listen.key=fan-out")
class ChannelFanOutIntegrationTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	// Long enough for 200 messages on a loaded 2-core machine: this test is about their
	// order, and a lost message still fails it.
	private static final Duration WAIT_FOR_EACH = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	ChannelFanOut fanOut;

	@Autowired
	SimpleBrokerMessageHandler broker;

	@Autowired
	SimpMessagingTemplate brokerMessagingTemplate;

	@Autowired
	@Qualifier("brokerChannel")
	AbstractSubscribableChannel brokerChannel;

	@Test
	void writesTheFrameSpringsBrokerPathWrites() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/201/shipped");
			awaitSubscribed();
			long fanOuts = this.fanOut.fanOuts();
			Message<?> notification = capture(() -> this.notifier.notify("Order", 201, "shipped", Map.of("n", 1)));

			JsonNode direct = alice.nextMessage(ONE_SECOND);
			assertThat(direct).isNotNull();
			Map<String, List<String>> directHeaders = new HashMap<>(alice.lastHeaders());
			assertThat(this.fanOut.fanOuts()).isEqualTo(fanOuts + 1);

			// The same message, handed to Spring's broker past the fan-out.
			this.broker.handleMessage(notification);
			JsonNode viaSpring = alice.nextMessage(ONE_SECOND);
			assertThat(viaSpring).isEqualTo(direct);
			Map<String, List<String>> springHeaders = new HashMap<>(alice.lastHeaders());
			assertThat(this.fanOut.fanOuts()).isEqualTo(fanOuts + 1);

			// Spring's form (session id, dash, number), with an f before the number on
			// the direct path.
			String directId = directHeaders.remove("message-id").get(0);
			String springId = springHeaders.remove("message-id").get(0);
			assertThat(directId).matches(".+-f\\d+");
			assertThat(springId).matches(".+-\\d+").doesNotMatch(".+-f\\d+");
			assertThat(directId.substring(0, directId.lastIndexOf("-f")))
				.isEqualTo(springId.substring(0, springId.lastIndexOf('-')));
			assertThat(directHeaders).containsKeys("destination", "subscription", "content-type", "content-length")
				.isEqualTo(springHeaders);
		}
	}

	@Test
	void aConnectionsMessagesKeepTheirOrderAcrossBothPaths() throws Exception {
		int pairs = 100;
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/202/progress");
			alice.subscribe("/user/topic/fan-out.notices", null);
			awaitSubscribed();
			long fanOuts = this.fanOut.fanOuts();
			for (int i = 0; i < pairs; i++) {
				this.notifier.notify("Order", 202, "progress", Map.of("sequence", 2 * i));
				// A message for one connection takes Spring's path.
				this.notifier.notifyConnection(alice.connectionId(), "Order", 202, "note",
						Map.of("sequence", 2 * i + 1));
			}
			List<Integer> received = new ArrayList<>();
			for (int i = 0; i < 2 * pairs; i++) {
				JsonNode message = alice.nextMessage(WAIT_FOR_EACH);
				assertThat(message).as("message %d of %d", i + 1, 2 * pairs).isNotNull();
				received.add(message.get("payload").get("sequence").asInt());
			}
			assertThat(received).isSorted().hasSize(2 * pairs);
			assertThat(this.fanOut.fanOuts()).isEqualTo(fanOuts + pairs);
		}
	}

	@Test
	void aChannelWithAHandlerTakesSpringsPath() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listen("Order/203/refresh");
			awaitSubscribed();
			long fanOuts = this.fanOut.fanOuts();
			this.notifier.notify("Order", 203, "refresh", Map.of("status", "NEW"));

			JsonNode message = alice.nextMessage(ONE_SECOND);
			assertThat(message).isNotNull();
			assertThat(message.get("result").get("principal").asString()).isEqualTo(ALICE);
			assertThat(this.fanOut.fanOuts()).isEqualTo(fanOuts);
		}
	}

	// Spring's STOMP handler writes an octet-stream payload as a binary message and keeps
	// a message id the message brings: the fan-out leaves both to it.
	@Test
	void messagesSpringsHandlerTreatsApartTakeItsPath() {
		String destination = "/topic/fan-out.Order.204.shipped";
		long fanOuts = this.fanOut.fanOuts();
		this.brokerMessagingTemplate.send(destination,
				MessageBuilder.withPayload(new byte[] { 1, 2 })
					.setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_OCTET_STREAM)
					.build());
		SimpMessageHeaderAccessor withId = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		withId.setNativeHeader("message-id", "own-1");
		withId.setContentType(MimeTypeUtils.APPLICATION_JSON);
		this.brokerMessagingTemplate.send(destination,
				MessageBuilder.createMessage("{}".getBytes(StandardCharsets.UTF_8), withId.getMessageHeaders()));
		assertThat(this.fanOut.fanOuts()).isEqualTo(fanOuts);

		this.brokerMessagingTemplate.convertAndSend(destination, (Object) Map.of("plain", true));
		assertThat(this.fanOut.fanOuts()).as("a plain one is taken").isEqualTo(fanOuts + 1);
	}

	// What the notifier hands to the broker channel, seen by an interceptor that only
	// looks.
	private Message<?> capture(Runnable send) {
		AtomicReference<@Nullable Message<?>> captured = new AtomicReference<>();
		ChannelInterceptor looking = new ChannelInterceptor() {
			@Override
			public Message<?> preSend(Message<?> message, MessageChannel channel) {
				captured.compareAndSet(null, message);
				return message;
			}
		};
		this.brokerChannel.addInterceptor(looking);
		try {
			send.run();
		}
		finally {
			this.brokerChannel.removeInterceptor(looking);
		}
		Message<?> message = captured.get();
		assertThat(message).isNotNull();
		return message;
	}

	private static void awaitSubscribed() throws InterruptedException {
		Thread.sleep(200);
	}

}
