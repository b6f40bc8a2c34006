package io.notifylisten.security;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.RawStompSocket;
import io.notifylisten.testapp.RawStompSocket.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.simp.stomp.StompHeaders;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input, each answered with an ERROR frame and a closed connection (or a refused
 * handshake), zero deliveries, and a bystander who keeps receiving. Frames a STOMP client
 * would refuse to send go over a {@link RawStompSocket}.
 */
@OrdersServerTest({ "notify-listen.key=hostile", "notify-listen.limits.max-frame-size=8KB",
		"notify-listen.limits.max-inbound-frames-per-second=20",
		"notify-listen.limits.max-subscriptions-per-connection=3", "notify-listen.limits.max-connections-per-user=4",
		"notify-listen.limits.time-to-first-connect=1s", "notify-listen.limits.send-time-limit=2s",
		"notify-listen.limits.send-buffer-size-limit=256KB" })
@ExtendWith(OutputCaptureExtension.class)
class HostileInputTests {

	private static final String ENDPOINT = "/notify-listen/ws";

	private static final Duration CLOSE = Duration.ofSeconds(5);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	SubscriptionSigner signer;

	private ListenerClient bystander;

	@BeforeEach
	void bystanderListens() throws Exception {
		this.bystander = ListenerClient.as(this.port, BOB).connect();
		this.bystander.listen("Order/99/shipped");
		Thread.sleep(200);
	}

	@AfterEach
	void bystanderIsUnaffected() throws Exception {
		this.notifier.notify("Order", 99, "shipped");
		JsonNode message = this.bystander.nextMessage(Duration.ofSeconds(2));
		assertThat(message).as("the bystander still receives").isNotNull();
		this.bystander.close();
	}

	// Anyone can send these: an operator's log must not fill with ERROR lines or stack
	// traces.
	@AfterEach
	void nothingReachedTheLogAtErrorOrAsAStackTrace(CapturedOutput output) {
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	@Test
	void frameBeforeConnect() throws Exception {
		try (RawStompSocket raw = openAs(ALICE)) {
			raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/hostile.Order.1.shipped"), "");
			assertRefused(raw, null);
		}
	}

	// Registered again, the connection would count its subscriptions from zero (past
	// max-subscriptions-per-connection) and its user twice. Sent at once after CONNECTED,
	// the ERROR must not be lost behind that frame's write.
	@Test
	void aSecondConnectOnTheSameConnection() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendFrame("CONNECT", connectHeaders(fifthToken()), "");
			assertRefused(raw, "Already connected");
		}
	}

	@Test
	void garbageText() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendText("\u00ff\u00fe GARBAGE %s %n ::: \n\n\0".getBytes(StandardCharsets.UTF_8), true);
			assertRefused(raw, "Malformed or oversized frame");
		}
	}

	@Test
	void garbageBytesThatAreNotEvenText() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			byte[] garbage = new byte[512];
			new SecureRandom().nextBytes(garbage);
			garbage[0] = (byte) 0xC0;
			raw.sendText(garbage, true);
			Received received = raw.readUntilClosed(CLOSE);
			assertThat(received.closed()).as("closed by the container as invalid UTF-8").isTrue();
			assertThat(received.messages()).isZero();
		}
	}

	@Test
	void aThousandHeaders() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			Map<String, String> headers = new LinkedHashMap<>();
			headers.put("id", "0");
			headers.put("destination", "/topic/hostile.Order.1.shipped");
			for (int i = 0; i < 1000; i++) {
				headers.put("h" + i, "x");
			}
			raw.sendFrame("SUBSCRIBE", headers, "");
			assertRefused(raw, "Too many headers");
		}
	}

	// Only a connection that a bearer token opened may send a fresh one.
	@Test
	void tokenRefreshOnASessionConnection() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendFrame("SEND", Map.of("destination", "/notify-listen/token", "Authorization", "Bearer x.y.z",
					"receipt", "token-1"), "");
			assertRefused(raw, "Clients may not send messages");
		}
	}

	@Test
	void oversizedFrame() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendFrame("SEND", Map.of("destination", "/topic/hostile.Order.1.shipped"), "x".repeat(12 * 1024));
			assertRefused(raw, "Malformed or oversized frame");
		}
	}

	// The control for the two tests around it: the container takes messages in 1 KiB
	// pieces (OutboundTransport), and a frame made of several of them is still one frame.
	@Test
	void longFrameWithinTheLimitIsAccepted() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			String signature = this.signer.sign(connectionId(raw), "Order/5/shipped");
			raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/hostile.Order.5.shipped", "auth",
					signature, "padding", "x".repeat(6 * 1024)), "");
			Thread.sleep(200);
			this.notifier.notify("Order", 5, "shipped");
			Received received = raw.read(1, CLOSE);
			assertThat(received.error()).isNull();
			assertThat(received.messages()).isOne();
		}
	}

	@Test
	void frameFarBeyondTheLimitIsRefused() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendFrame("SEND", Map.of("destination", "/topic/hostile.Order.1.shipped"), "x".repeat(64 * 1024));
			// On Tomcat the STOMP decoder sees it in pieces and sends an ERROR; Jetty's
			// message limit (twice max-frame-size) closes the connection before that.
			Received received = raw.readUntilClosed(CLOSE);
			assertThat(received.closed()).isTrue();
			assertThat(received.messages()).isZero();
			if (received.error() != null) {
				assertThat(received.error()).isEqualTo("Malformed or oversized frame");
			}
		}
	}

	@Test
	void unmaskedClientFrame() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendText("UNSUBSCRIBE\nid:0\n\n\0".getBytes(StandardCharsets.UTF_8), false);
			assertThat(raw.readUntilClosed(CLOSE).closed()).isTrue();
		}
	}

	@Test
	void selectorHeaderOfCve20181270() throws Exception {
		File pwned = new File(System.getProperty("java.io.tmpdir"), "notify-listen-pwned-" + System.nanoTime());
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/hostile.Order.1.shipped", "selector",
					"T(java.lang.Runtime).getRuntime().exec('touch " + pwned.getAbsolutePath() + "')"), "");
			assertRefused(raw, "Selector header not supported");
		}
		assertThat(pwned).doesNotExist();
	}

	@Test
	void wildcardAndPathTrickDestinations() throws Exception {
		for (String destination : new String[] { "/topic/hostile.Order.*.shipped", "/topic/hostile.*.1.shipped",
				"/topic/hostile.Order.1*.shipped", "/topic/hostile.Order.*.*", "/topic/hostile.#",
				"/topic/hostile.Order.1.shipped/../../other.Order.1.shipped", "/topic/hostile.Order.1.shipped\u0000",
				"/topic/hostile..Order.1.shipped", "/topic/*.Order.1.shipped", "/queue/hostile.Order.1.shipped" }) {
			try (RawStompSocket raw = connectedAs(ALICE)) {
				raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", destination), "");
				assertRefused(raw, null);
			}
		}
	}

	@Test
	void presenceRecordsTopicAndMalformedOrUnsignedPresence() throws Exception {
		for (String destination : new String[] { "/topic/hostile.presence", "/topic/hostile.presence.Order.1",
				"/topic/hostile.presence.Order.*.members", "/topic/hostile.presence.Order.1.members.x",
				"/topic/hostile.presence.Order.1.members" }) {
			try (RawStompSocket raw = connectedAs(ALICE)) {
				raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", destination), "");
				assertRefused(raw, null);
			}
		}
		// A channel's signature is worth nothing for the presence of its object.
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/hostile.presence.Order.5.members",
					"auth", this.signer.sign(connectionId(raw), "Order/5/shipped")), "");
			assertRefused(raw, "Invalid subscription signature");
		}
	}

	@Test
	void anotherUsersTopic() throws Exception {
		for (String destination : new String[] { "/user/bob/topic/hostile.notify",
				"/topic/hostile.u." + this.signer.userToken(BOB) }) {
			try (RawStompSocket raw = connectedAs(ALICE)) {
				raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", destination), "");
				assertRefused(raw, null);
			}
		}
		this.notifier.notifyUser(BOB, "Order", 1, "assigned", Map.of());
	}

	@Test
	void forgedTamperedAndReplayedSignatures() throws Exception {
		String channel = "Order/5/shipped";
		String replayed;
		try (RawStompSocket first = connectedAs(ALICE)) {
			replayed = this.signer.sign(connectionId(first), channel);
		}
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		String forged = "hostile:" + HexFormat.of().formatHex(random);
		for (String signature : new String[] { forged, replayed, "hostile:", "", "orders:" + forged.substring(8) }) {
			try (RawStompSocket raw = connectedAs(ALICE)) {
				raw.sendFrame("SUBSCRIBE",
						Map.of("id", "0", "destination", "/topic/hostile.Order.5.shipped", "auth", signature), "");
				assertRefused(raw, "Invalid subscription signature");
			}
		}
		try (RawStompSocket raw = connectedAs(ALICE)) {
			String good = this.signer.sign(connectionId(raw), channel);
			char last = good.charAt(good.length() - 1);
			String tampered = good.substring(0, good.length() - 1) + ((last == '0') ? '1' : '0');
			raw.sendFrame("SUBSCRIBE",
					Map.of("id", "0", "destination", "/topic/hostile.Order.5.shipped", "auth", tampered), "");
			assertRefused(raw, "Invalid subscription signature");
		}
	}

	@Test
	void unmaskedCsrfToken() throws Exception {
		ListenerClient http = ListenerClient.as(this.port, ALICE);
		String masked = http.settings().get("csrf").get("token").asString();
		byte[] bytes = Base64.getUrlDecoder().decode(masked);
		int half = bytes.length / 2;
		byte[] raw = new byte[half];
		for (int i = 0; i < half; i++) {
			raw[i] = (byte) (bytes[i] ^ bytes[half + i]);
		}
		try (RawStompSocket socket = RawStompSocket.open(this.port, ENDPOINT, http, Map.of())) {
			socket.sendFrame("CONNECT", Map.of("accept-version", "1.2", "host", "localhost", "X-CSRF-TOKEN",
					new String(raw, StandardCharsets.UTF_8)), "");
			assertRefused(socket, "Invalid or missing CSRF token");
		}
	}

	@Test
	void crossSiteOriginOnTheHandshake() throws Exception {
		ListenerClient http = ListenerClient.as(this.port, ALICE);
		http.settings();
		try (RawStompSocket raw = RawStompSocket.open(this.port, ENDPOINT, http,
				Map.of("Origin", "https://evil.example"))) {
			assertThat(raw.upgraded()).isFalse();
			assertThat(raw.handshakeResponse).startsWith("HTTP/1.1 403");
		}
	}

	// Spring's origin check parses the Origin and throws on these ("Bad authority"): a
	// 500 with a trace.
	@Test
	void malformedOriginOnTheHandshake() throws Exception {
		ListenerClient http = ListenerClient.as(this.port, ALICE);
		http.settings();
		for (String origin : new String[] { "http://a:b", "http://spa.example:5173.evil.com" }) {
			try (RawStompSocket raw = RawStompSocket.open(this.port, ENDPOINT, http, Map.of("Origin", origin))) {
				assertThat(raw.upgraded()).isFalse();
				assertThat(raw.handshakeResponse).as(origin).startsWith("HTTP/1.1 403");
			}
		}
	}

	@Test
	void floodOfFrames() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			for (int i = 0; i < 40; i++) {
				raw.sendFrame("UNSUBSCRIBE", Map.of("id", String.valueOf(i)), "");
			}
			assertRefused(raw, "Too many frames");
		}
	}

	@Test
	void tooManySubscriptions() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			String connectionId = connectionId(raw);
			for (int i = 1; i <= 4; i++) {
				String channel = "Order/" + i + "/shipped";
				raw.sendFrame("SUBSCRIBE", Map.of("id", String.valueOf(i), "destination",
						"/topic/hostile.Order." + i + ".shipped", "auth", this.signer.sign(connectionId, channel)), "");
			}
			assertRefused(raw, "Too many subscriptions");
		}
	}

	@Test
	void tooManyConnectionsForOneUser() throws Exception {
		RawStompSocket[] allowed = new RawStompSocket[4];
		try {
			for (int i = 0; i < allowed.length; i++) {
				allowed[i] = connectedAs(ALICE);
			}
			try (RawStompSocket fifth = openAs(ALICE)) {
				fifth.sendFrame("CONNECT", connectHeaders(fifthToken()), "");
				assertRefused(fifth, "Too many connections");
			}
		}
		finally {
			for (RawStompSocket socket : allowed) {
				if (socket != null) {
					socket.close();
				}
			}
		}
	}

	@Test
	void destinationTooLong() throws Exception {
		try (RawStompSocket raw = connectedAs(ALICE)) {
			raw.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/hostile." + "x".repeat(300)), "");
			assertRefused(raw, "Destination too long");
		}
	}

	@Test
	void noConnectInTime() throws Exception {
		try (RawStompSocket raw = openAs(ALICE)) {
			Received received = raw.readUntilClosed(CLOSE);
			assertThat(received.error()).isEqualTo("No CONNECT within 1 s");
			assertThat(received.closed()).isTrue();
		}
	}

	@Test
	void slowConsumerIsCutOffWithoutSlowingOthers() throws Exception {
		this.bystander.listen("Order/77/shipped");
		ListenerClient http = ListenerClient.as(this.port, ALICE);
		try (RawStompSocket slow = RawStompSocket.openWithSmallReceiveBuffer(this.port, ENDPOINT, http)) {
			slow.sendFrame("CONNECT", connectHeaders(http.settings().get("csrf").get("token").asString()), "");
			String connectionId = slow.read(1, CLOSE).header("connection-id");
			slow.sendFrame("SUBSCRIBE", Map.of("id", "0", "destination", "/topic/hostile.Order.77.shipped", "auth",
					this.signer.sign(connectionId, "Order/77/shipped")), "");
			Thread.sleep(200);
			Map<String, Object> filler = Map.of("filler", "x".repeat(2000));
			int sent = 1500;
			long start = System.nanoTime();
			// A brisk but steady stream (about 1,500 a second), which a reading client
			// keeps up with; the send buffer limit is about cutting off clients that stop
			// reading, not bursts.
			for (int i = 0; i < sent; i++) {
				this.notifier.notify("Order", 77, "shipped", filler);
				if (i % 25 == 24) {
					Thread.sleep(15);
				}
			}
			// A bystander that falls behind by the conflation threshold gets the latest
			// message with the count of those folded into it.
			for (int received = 0; received < sent;) {
				StompHeaders headers = this.bystander.frameHeaders.poll(5, TimeUnit.SECONDS);
				assertThat(headers).as("bystander message %d", received).isNotNull();
				assertThat(this.bystander.nextMessage(Duration.ofSeconds(1))).isNotNull();
				String folded = headers.getFirst("notify-listen-folded");
				received += 1 + ((folded != null) ? Integer.parseInt(folded) : 0);
			}
			Duration bystanderTook = Duration.ofNanos(System.nanoTime() - start);
			assertThat(bystanderTook).as("the bystander is not held up by the slow reader")
				.isLessThan(Duration.ofSeconds(20));
			Received slowGot = slow.readUntilClosed(Duration.ofSeconds(10));
			assertThat(slowGot.closed()).as("the slow reader was cut off").isTrue();
			assertThat(slowGot.messages()).isLessThan(sent);
		}
	}

	@Test
	void logoutEndsTheUsersConnections() throws Exception {
		ListenerClient alice = ListenerClient.as(this.port, ALICE).connect();
		alice.listen("Order/8/shipped");
		assertThat(alice.logout()).isLessThan(400);
		assertThat(alice.nextError(CLOSE)).isEqualTo("Session ended");
		assertThat(alice.awaitClosed(CLOSE)).isTrue();
		alice.close();
	}

	private RawStompSocket openAs(String user) throws Exception {
		ListenerClient http = ListenerClient.as(this.port, user);
		http.settings();
		this.lastHttp = http;
		return RawStompSocket.open(this.port, ENDPOINT, http, Map.of());
	}

	private ListenerClient lastHttp;

	private String fifthToken() throws Exception {
		return this.lastHttp.settings().get("csrf").get("token").asString();
	}

	private RawStompSocket connectedAs(String user) throws Exception {
		RawStompSocket raw = openAs(user);
		raw.sendFrame("CONNECT", connectHeaders(fifthToken()), "");
		Received connected = raw.read(1, CLOSE);
		assertThat(connected.frames()).as("CONNECTED").hasSize(1);
		assertThat(connected.frames().get(0)).startsWith("CONNECTED\n");
		// No pause for CONNECTED to be flushed: an ERROR right behind it must still
		// arrive (OutboundTransport.quiesce).
		this.connectionIds.put(raw, connected.header("connection-id"));
		return raw;
	}

	private final Map<RawStompSocket, String> connectionIds = new java.util.IdentityHashMap<>();

	private String connectionId(RawStompSocket raw) {
		return this.connectionIds.get(raw);
	}

	private static Map<String, String> connectHeaders(String csrfToken) {
		return Map.of("accept-version", "1.2", "host", "localhost", "heart-beat", "0,0", "X-CSRF-TOKEN", csrfToken);
	}

	private void assertRefused(RawStompSocket raw, String reason) throws Exception {
		Received received = raw.readUntilClosed(CLOSE);
		assertThat(received.error()).as("ERROR frame").isNotNull();
		if (reason != null) {
			assertThat(received.error()).isEqualTo(reason);
		}
		assertThat(received.error()).doesNotContain("Exception").doesNotContain("java.");
		assertThat(received.closed()).as("connection closed").isTrue();
		assertThat(received.messages()).as("deliveries").isZero();
	}

}
