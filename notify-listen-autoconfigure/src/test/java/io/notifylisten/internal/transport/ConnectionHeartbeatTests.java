package io.notifylisten.internal.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.notifylisten.internal.connection.SilentClientInterceptor;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.RawStompSocket;
import io.notifylisten.testapp.RawStompSocket.Arrival;
import io.notifylisten.testapp.RawStompSocket.Arrivals;
import io.notifylisten.testapp.RawStompSocket.Received;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * STOMP heart-beats over a real WebSocket, with intervals short enough to watch: the
 * server writes to a connection at least as often as agreed, whichever route writes, and
 * a client that falls silent learns why it is cut off.
 */
@OrdersServerTest({ "notify-listen.key=heartbeat",
		"notify-listen.heartbeat.outgoing=" + ConnectionHeartbeatTests.INTERVAL_MS + "ms",
		"notify-listen.heartbeat.incoming=" + ConnectionHeartbeatTests.INTERVAL_MS + "ms" })
@ExtendWith(OutputCaptureExtension.class)
class ConnectionHeartbeatTests {

	static final long INTERVAL_MS = 600;

	/**
	 * What a busy test machine may add to the agreed interval: thread scheduling and the
	 * network.
	 */
	private static final long TOLERANCE_MS = INTERVAL_MS / 3;

	private static final String ENDPOINT = "/notify-listen/ws";

	private static final Duration WATCH = Duration.ofMillis(INTERVAL_MS * 8);

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	ChannelFanOut fanOut;

	@Autowired
	SubscriptionSigner signer;

	private final Map<RawStompSocket, String> csrfTokens = new ConcurrentHashMap<>();

	@AfterEach
	void nothingReachedTheLogAtErrorOrAsAStackTrace(CapturedOutput output) {
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	// Three connections, a third of the interval apart, so that their CONNECTs fall at
	// different points of any periodic check on the server. All are quiet for two
	// intervals (the first heart-beat is the one a check once per interval makes late),
	// then two of them get a notification by the direct fan-out every quarter interval
	// for a while, then all are quiet again.
	@Test
	void theServerWritesAtLeastAsOftenAsAgreedWhicheverRouteWrites() throws Exception {
		String channel = "Order/31/shipped";
		List<CompletableFuture<Watched>> watched = new ArrayList<>();
		List<RawStompSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				RawStompSocket socket = open();
				sockets.add(socket);
				boolean listens = i > 0;
				watched.add(CompletableFuture.supplyAsync(() -> connectAndWatch(socket, listens ? channel : null)));
				Thread.sleep(INTERVAL_MS / 3);
			}
			Thread.sleep(2 * INTERVAL_MS);
			long fanOuts = this.fanOut.fanOuts();
			long notifyUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS * 5 / 2);
			while (System.nanoTime() < notifyUntil) {
				this.notifier.notify("Order", 31, "shipped");
				Thread.sleep(INTERVAL_MS / 4);
			}
			assertThat(this.fanOut.fanOuts()).as("notifications by the direct fan-out").isGreaterThan(fanOuts);
			for (int i = 0; i < watched.size(); i++) {
				Watched connection = watched.get(i).get(WATCH.toMillis() * 3, TimeUnit.MILLISECONDS);
				assertThat(connection.closed()).as("connection %d closed", i).isFalse();
				assertThat(connection.arrivals().get(0).text()).as("connection %d: CONNECTED", i)
					.startsWith("CONNECTED\n")
					.contains("\nheart-beat:" + INTERVAL_MS + "," + INTERVAL_MS + "\n");
				if (i > 0) {
					assertThat(connection.arrivals()).as("connection %d: notifications", i)
						.anySatisfy((arrival) -> assertThat(arrival.text()).contains("MESSAGE\n"));
				}
				assertThat(connection.longestSilenceMillis())
					.as("connection %d: longest silence after CONNECTED (ms)", i)
					.isLessThanOrEqualTo(INTERVAL_MS + TOLERANCE_MS);
			}
		}
		finally {
			for (RawStompSocket socket : sockets) {
				socket.close();
			}
		}
	}

	// The broker cuts off a client that declared heart-beats and sent none for three
	// intervals; the server's own heart-beats are due to it at that moment too, and must
	// not push the ERROR aside.
	@Test
	void aClientThatFallsSilentGetsAnErrorWithItsReasonBeforeTheClose() throws Exception {
		List<CompletableFuture<Received>> silent = new ArrayList<>();
		List<RawStompSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < 6; i++) {
				RawStompSocket socket = open();
				sockets.add(socket);
				silent.add(CompletableFuture.supplyAsync(() -> {
					try {
						socket.sendFrame("CONNECT", connectHeaders(socket, INTERVAL_MS + "," + INTERVAL_MS), "");
						return socket.readUntilClosed(Duration.ofMillis(INTERVAL_MS * 8));
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
				}));
			}
			for (int i = 0; i < silent.size(); i++) {
				Received received = silent.get(i).get(INTERVAL_MS * 16, TimeUnit.MILLISECONDS);
				assertThat(received.closed()).as("connection %d closed", i).isTrue();
				assertThat(received.error()).as("connection %d: ERROR frame before the close", i)
					.isEqualTo(SilentClientInterceptor.NO_HEARTBEATS);
			}
		}
		finally {
			for (RawStompSocket socket : sockets) {
				socket.close();
			}
		}
	}

	private RawStompSocket open() throws Exception {
		ListenerClient http = ListenerClient.as(this.port, ALICE);
		String csrfToken = http.settings().get("csrf").get("token").asString();
		RawStompSocket socket = RawStompSocket.open(this.port, ENDPOINT, http, Map.of());
		this.csrfTokens.put(socket, csrfToken);
		return socket;
	}

	private Map<String, String> connectHeaders(RawStompSocket socket, String heartbeat) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("accept-version", "1.2");
		headers.put("host", "localhost");
		headers.put("heart-beat", heartbeat);
		headers.put("X-CSRF-TOKEN", this.csrfTokens.get(socket));
		return headers;
	}

	// The client sends no heart-beats ("0,..."), so that the server's check of incoming
	// ones stays out of it.
	private Watched connectAndWatch(RawStompSocket socket, @Nullable String channel) {
		try {
			socket.sendFrame("CONNECT", connectHeaders(socket, "0," + INTERVAL_MS), "");
			// Nothing slow between the reads (such as a first assertion's class loading):
			// a message is timed when it is read.
			List<Arrival> arrivals = new ArrayList<>(socket.readArrivals(1, Duration.ofSeconds(5)).arrivals());
			if (channel != null && !arrivals.isEmpty()) {
				String connectionId = new Received(List.of(arrivals.get(0).text()), false).header("connection-id");
				socket.sendFrame("SUBSCRIBE",
						Map.of("id", "0", "destination", "/topic/heartbeat." + channel.replace('/', '.'), "auth",
								this.signer.sign(connectionId, channel)),
						"");
			}
			Arrivals watched = socket.readArrivals(Integer.MAX_VALUE, WATCH);
			arrivals.addAll(watched.arrivals());
			return new Watched(arrivals, System.nanoTime(), watched.closed());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * What a connection received from its CONNECTED frame on, until the watch ended.
	 */
	private record Watched(List<Arrival> arrivals, long endedNanos, boolean closed) {

		long longestSilenceMillis() {
			long longest = 0;
			long previous = this.arrivals.get(0).nanos();
			for (Arrival arrival : this.arrivals) {
				longest = Math.max(longest, arrival.nanos() - previous);
				previous = arrival.nanos();
			}
			longest = Math.max(longest, this.endedNanos - previous);
			return TimeUnit.NANOSECONDS.toMillis(longest);
		}

	}

}
