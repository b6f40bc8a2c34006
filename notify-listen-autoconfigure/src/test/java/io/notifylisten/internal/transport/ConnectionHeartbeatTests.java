package io.notifylisten.internal.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.RawStompSocket;
import io.notifylisten.testapp.RawStompSocket.Received;
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
 * STOMP heart-beats over a real WebSocket, with intervals short enough to watch: a client that falls
 * silent learns why it is cut off.
 */
@OrdersServerTest({ "notify-listen.key=heartbeat", "notify-listen.heartbeat.outgoing=" + ConnectionHeartbeatTests.INTERVAL_MS + "ms",
		"notify-listen.heartbeat.incoming=" + ConnectionHeartbeatTests.INTERVAL_MS + "ms" })
@ExtendWith(OutputCaptureExtension.class)
class ConnectionHeartbeatTests {

	static final long INTERVAL_MS = 600;

	private static final String ENDPOINT = "/notify-listen/ws";

	@LocalServerPort
	int port;

	private final Map<RawStompSocket, String> csrfTokens = new ConcurrentHashMap<>();

	@AfterEach
	void nothingReachedTheLogAtErrorOrAsAStackTrace(CapturedOutput output) {
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	// The broker cuts off a client that declared heart-beats and sent none for three intervals; the
	// server's own heart-beats are due to it at that moment too, and must not push the ERROR aside.
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
				assertThat(received.error()).as("connection %d: ERROR frame before the close", i).isNotBlank();
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


}
