package io.notifylisten.internal.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

import io.micrometer.core.instrument.MeterRegistry;
import io.notifylisten.internal.metrics.NotifyListenMetrics;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.RawStompSocket;
import io.notifylisten.testapp.RawStompSocket.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A type listener that stops reading while a burst goes out, over a real socket whose
 * receive window is tiny: its outbox goes over the conflation threshold, which the
 * {@code conflated} meter shows, and it gets each object's latest message with the count
 * of those folded into it; behind on more distinct objects than the send buffer limit
 * holds, it gets its subscription's latest message with every other folded into it, and
 * the {@code dropped} meter does not move.
 */
@OrdersServerTest({ "notify-listen.key=conflation", "notify-listen.limits.send-buffer-size-limit=256KB",
		"notify-listen.limits.conflation-threshold=64KB", "notify-listen.limits.send-time-limit=30s" })
@ExtendWith(OutputCaptureExtension.class)
class ConflationIntegrationTests {

	private static final String ENDPOINT = "/notify-listen/ws";

	private static final String FILLER = "x".repeat(2000);

	/** Bounds each burst: it stops once the meter it waits for has moved. */
	private static final int MOST_NOTIFICATIONS = 20_000;

	private static final Duration MOST_TIME = Duration.ofSeconds(30);

	private static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	SubscriptionSigner signer;

	@Autowired
	MeterRegistry registry;

	@AfterEach
	void nothingReachedTheLogAtErrorOrAsAStackTrace(CapturedOutput output) {
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	@Test
	void aClientThatFallsBehindGetsTheLatestMessageOfEachObjectWithTheCountFolded() throws Exception {
		int objects = 10;
		try (RawStompSocket slow = typeListener()) {
			double conflated = conflated();
			double dropped = droppedSlow();
			Map<String, Integer> lastSent = new HashMap<>();
			int sent = burst((i) -> String.valueOf(1000 + i % objects), lastSent, () -> conflated() >= conflated + 100);
			assertThat(conflated()).as("the burst reached conflation").isGreaterThanOrEqualTo(conflated + 100);

			List<Frame> received = new ArrayList<>();
			Map<String, Integer> lastReceived = new HashMap<>();
			boolean closed = false;
			long deadline = System.nanoTime() + MOST_TIME.toNanos();
			while (!lastReceived.equals(lastSent) && !closed && System.nanoTime() < deadline) {
				Received got = slow.read(1, Duration.ofSeconds(5));
				closed = got.closed();
				for (Frame frame : Frame.parse(got.frames())) {
					received.add(frame);
					lastReceived.put(frame.id(), frame.sequence());
				}
			}
			assertThat(closed).as("not cut off").isFalse();
			assertThat(lastReceived).as("each object's latest message").isEqualTo(lastSent);
			assertThat(received.stream().mapToInt((frame) -> 1 + frame.folded()).sum())
				.as("every message sent, received or folded into one received")
				.isEqualTo(sent);
			assertThat(received).anyMatch((frame) -> frame.folded() > 0);
			assertThat(droppedSlow()).isEqualTo(dropped);
		}
	}

	// One message per object is still more than the send buffer limit holds: the type
	// listener gets its subscription's latest message, with every other folded into it,
	// rather than being cut off.
	@Test
	void aClientBehindOnMoreObjectsThanTheLimitHoldsGetsItsLatestMessageWithEveryFold() throws Exception {
		try (RawStompSocket slow = typeListener()) {
			double conflated = conflated();
			double dropped = droppedSlow();
			Map<String, Integer> lastSent = new HashMap<>();
			int sent = burst((i) -> String.valueOf(5000 + i), lastSent, () -> conflated() >= conflated + 300);
			assertThat(conflated()).as("distinct objects folded into one another")
				.isGreaterThanOrEqualTo(conflated + 300);

			List<Frame> received = new ArrayList<>();
			boolean closed = false;
			long deadline = System.nanoTime() + MOST_TIME.toNanos();
			while (received.stream().mapToInt((frame) -> 1 + frame.folded()).sum() < sent && !closed
					&& System.nanoTime() < deadline) {
				Received got = slow.read(1, Duration.ofSeconds(5));
				closed = got.closed();
				received.addAll(Frame.parse(got.frames()));
			}
			assertThat(closed).as("not cut off").isFalse();
			assertThat(received.stream().mapToInt((frame) -> 1 + frame.folded()).sum())
				.as("every message sent, received or folded into one received")
				.isEqualTo(sent);
			assertThat(received.get(received.size() - 1).sequence()).as("the latest message").isEqualTo(sent - 1);
			assertThat(droppedSlow()).isEqualTo(dropped);
		}
	}

	// Notifications to ids, round the objects, until the condition holds; returns how
	// many
	// were sent.
	private int burst(IntFunction<String> idOf, Map<String, Integer> lastSent, BooleanSupplier done)
			throws InterruptedException {
		long deadline = System.nanoTime() + MOST_TIME.toNanos();
		int sent = 0;
		while (sent < MOST_NOTIFICATIONS && System.nanoTime() < deadline) {
			String id = idOf.apply(sent);
			this.notifier.notify("Order", id, "shipped", Map.of("sequence", sent, "filler", FILLER));
			lastSent.put(id, sent);
			sent++;
			if (sent % 50 == 0) {
				if (done.getAsBoolean()) {
					break;
				}
				// The delivery of a few to every connection's outbox may lag the notify.
				Thread.sleep(5);
			}
		}
		return sent;
	}

	// A listener to every Order that stops reading: a tiny receive window, so that the
	// server's writes back up soon.
	private RawStompSocket typeListener() throws Exception {
		ListenerClient http = ListenerClient.as(this.port, ALICE);
		// First, so that the handshake carries the HTTP session that holds the CSRF
		// token.
		String csrfToken = http.settings().get("csrf").get("token").asString();
		RawStompSocket raw = RawStompSocket.openWithSmallReceiveBuffer(this.port, ENDPOINT, http);
		raw.sendFrame("CONNECT",
				Map.of("accept-version", "1.2", "host", "localhost", "heart-beat", "0,0", "X-CSRF-TOKEN", csrfToken),
				"");
		String connectionId = raw.read(1, Duration.ofSeconds(5)).header("connection-id");
		raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/conflation.Order.*.shipped", "auth",
				this.signer.sign(connectionId, "Order/*/shipped")), "");
		Thread.sleep(300);
		return raw;
	}

	private double conflated() {
		return this.registry.get(NotifyListenMetrics.CONFLATED).counter().count();
	}

	private double droppedSlow() {
		return this.registry.get(NotifyListenMetrics.DROPPED).tag("reason", "slow").counter().count();
	}

	/** A MESSAGE frame received: its object, its sequence in the burst, and its fold. */
	private record Frame(String id, int sequence, int folded) {

		// A WebSocket message may carry several STOMP frames, each ending with a NUL.
		static List<Frame> parse(List<String> messages) {
			List<Frame> frames = new ArrayList<>();
			for (String message : messages) {
				for (String frame : message.split("\0")) {
					frame = frame.stripLeading();
					if (!frame.startsWith("MESSAGE\n")) {
						continue;
					}
					int blank = frame.indexOf("\n\n");
					int folded = 0;
					for (String line : frame.substring(0, blank).split("\n")) {
						if (line.startsWith(ChannelFanOut.FOLDED_HEADER + ":")) {
							folded = Integer.parseInt(line.substring(line.indexOf(':') + 1));
						}
					}
					JsonNode body = json.readTree(frame.substring(blank + 2));
					frames
						.add(new Frame(body.get("id").asString(), body.get("payload").get("sequence").asInt(), folded));
				}
			}
			return frames;
		}

	}

}
