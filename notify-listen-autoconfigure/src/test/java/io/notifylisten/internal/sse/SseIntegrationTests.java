package io.notifylisten.internal.sse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.notifylisten.internal.transport.ChannelFanOut;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.OrdersTestApplication.RevokedOrders;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.CAROL;
import static io.notifylisten.testapp.OrdersTestApplication.SECRET_ORDER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server-Sent Events over real HTTP: the same channels and checks as STOMP, events named
 * by action with an id to resume from, a retry hint, and CORS for the allowed origins.
 */
@OrdersServerTest({ "notify-listen.key=sse", "notify-listen.sse.retry=2500ms",
		"notify-listen.allowed-origins=https://app.example" })
class SseIntegrationTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Autowired
	ChannelFanOut fanOut;

	@Autowired
	RevokedOrders revoked;

	@Test
	void streamCarriesNamedEventsWithIdsAndARetryHint() throws Exception {
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/100?events=refresh,shipped", null)) {
			assertThat(stream.status).isEqualTo(200);
			assertThat(stream.retry.get(2, TimeUnit.SECONDS)).isEqualTo("2500");
			Thread.sleep(300);
			this.notifier.notify("Order", 100, "shipped", Map.of("carrier", "DHL"));
			this.notifier.notify("Order", 100, "cancelled");
			this.notifier.notify("Order", 100, "refresh");

			Event shipped = stream.next(ONE_SECOND);
			assertThat(shipped.name()).isEqualTo("shipped");
			assertThat(shipped.data().get("payload").get("carrier").asString()).isEqualTo("DHL");
			assertThat(shipped.id()).matches("[0-9a-f]+:0,\\d+");
			Event refresh = stream.next(ONE_SECOND);
			assertThat(refresh.name()).as("cancelled was not asked for").isEqualTo("refresh");
			assertThat(refresh.data().get("result").get("principal").asString())
				.as("the @NotifyListen handler ran as the stream's user")
				.isEqualTo(ALICE);
		}
	}

	// The channel's WebSocket listeners are written to directly; its streams still get
	// their share.
	@Test
	void aStreamAndAWebSocketOnOneChannelBothReceive() throws Exception {
		assertThat(this.fanOut.isStarted()).as("channel notifications fanned out directly").isTrue();
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/104?events=shipped", null);
				ListenerClient socket = ListenerClient.as(this.port, ALICE).connect()) {
			socket.listen("Order/104/shipped");
			assertThat(stream.retry.get(2, TimeUnit.SECONDS)).isEqualTo("2500");
			Thread.sleep(300);
			this.notifier.notify("Order", 104, "shipped", Map.of("carrier", "UPS"));

			assertThat(socket.nextMessage(ONE_SECOND).get("payload").get("carrier").asString()).isEqualTo("UPS");
			assertThat(stream.next(ONE_SECOND).data().get("payload").get("carrier").asString()).isEqualTo("UPS");
		}
	}

	@Test
	void sameChecksAsStomp() throws Exception {
		assertRefused(open(CAROL, "/notify-listen/sse/Order/1?events=refresh", null), 403, "Listen role required");
		assertRefused(open(BOB, "/notify-listen/sse/Order/3?events=refresh", null), 403, "Not allowed to read Order 3");
		assertRefused(open(ALICE, "/notify-listen/sse/Order/1?events=re.fresh", null), 400,
				"Channel action must be a letter followed by letters, digits, '_' or '-'");
	}

	@Test
	void resumesFromLastEventId() throws Exception {
		String lastId;
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/101?events=shipped", null)) {
			Thread.sleep(300);
			this.notifier.notify("Order", 101, "shipped", Map.of("n", 1));
			lastId = stream.next(ONE_SECOND).id();
		}
		this.notifier.notify("Order", 101, "shipped", Map.of("n", 2));
		this.notifier.notify("Order", 101, "shipped", Map.of("n", 3));
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/101?events=shipped", lastId)) {
			assertThat(stream.next(ONE_SECOND).data().get("payload").get("n").asInt()).isEqualTo(2);
			assertThat(stream.next(ONE_SECOND).data().get("payload").get("n").asInt()).isEqualTo(3);
		}
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/101?events=shipped", "old-epoch:1")) {
			assertThat(stream.next(ONE_SECOND).name()).as("cannot resume: reload").isEqualTo("reload");
		}
	}

	@Test
	void streamOfEveryOrderCarriesEachOrderTheUserMayReadAndNoOther() throws Exception {
		try (EventStream stream = open(BOB, "/notify-listen/sse/Order/*?events=shipped,refresh", null)) {
			assertThat(stream.status).as("a type is streamed, not refused as a bad id").isEqualTo(200);
			assertThat(stream.retry.get(2, TimeUnit.SECONDS)).isEqualTo("2500");
			Thread.sleep(300);
			this.notifier.notify("Order", 501, "shipped", Map.of("carrier", "DHL"));
			this.notifier.notify("Order", SECRET_ORDER, "shipped", Map.of());
			this.notifier.notify("Order", 502, "cancelled");
			this.notifier.notify("Order", SECRET_ORDER, "refresh");
			this.notifier.notify("Order", 503, "refresh");

			Event shipped = stream.next(ONE_SECOND);
			assertThat(shipped.name()).isEqualTo("shipped");
			assertThat(shipped.data().get("id").asString()).isEqualTo("501");
			assertThat(shipped.data().get("payload").get("carrier").asString()).isEqualTo("DHL");
			assertThat(shipped.id()).as("a type has no position").isEqualTo("*");
			Event refresh = stream.next(ONE_SECOND);
			assertThat(refresh.data().get("id").asString()).isEqualTo("503");
			assertThat(refresh.data().get("result").get("principal").asString())
				.as("the @NotifyListen handler ran as the stream's user")
				.isEqualTo(BOB);
			assertThat(stream.events.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isNull();
		}
	}

	@Test
	void revokedReadAccessStopsThatOrderOnAStreamOfEveryOrder() throws Exception {
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/*?events=shipped", null)) {
			Thread.sleep(300);
			this.notifier.notify("Order", 511, "shipped");
			assertThat(stream.next(ONE_SECOND).data().get("id").asString()).isEqualTo("511");

			this.revoked.revoke(ALICE, 511);
			this.notifier.notify("Order", 511, "shipped");
			this.notifier.notify("Order", 512, "shipped");
			assertThat(stream.next(ONE_SECOND).data().get("id").asString()).isEqualTo("512");
			assertThat(stream.events.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isNull();
		}
	}

	@Test
	void streamOfEveryOrderNeedsTheListenRoleAndValidNames() throws Exception {
		assertRefused(open(CAROL, "/notify-listen/sse/Order/*?events=refresh", null), 403, "Listen role required");
		assertRefused(open(ALICE, "/notify-listen/sse/Order/*?events=re.fresh", null), 400,
				"Channel action must be a letter followed by letters, digits, '_' or '-'");
		try (EventStream wildcard = open(ALICE, "/notify-listen/sse/Order/4*?events=refresh", null)) {
			assertThat(wildcard.status).as("only a whole id of * is a type").isEqualTo(400);
			assertThat(wildcard.body).startsWith("{\"error\":\"Channel id must be");
		}
	}

	// The history is kept per object: a type stream cannot resume, and says so once it
	// is live, so that the page reloads and misses nothing.
	@Test
	void streamOfEveryOrderOpenedAgainIsToldToReloadThenDelivers() throws Exception {
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/*?events=shipped", "*")) {
			Event reload = stream.next(ONE_SECOND);
			assertThat(reload.name()).isEqualTo("reload");
			assertThat(reload.data().get("recovered").asBoolean()).isFalse();
			assertThat(reload.data().get("channel").asString()).isEqualTo("Order/*/shipped");
			this.notifier.notify("Order", 521, "shipped");
			assertThat(stream.next(ONE_SECOND).data().get("id").asString()).isEqualTo("521");
		}
		try (EventStream fresh = open(ALICE, "/notify-listen/sse/Order/*?events=shipped", null)) {
			Thread.sleep(300);
			this.notifier.notify("Order", 522, "shipped");
			assertThat(fresh.next(ONE_SECOND).name()).as("no reload without Last-Event-ID").isEqualTo("shipped");
		}
	}

	@Test
	void logoutEndsTheStream() throws Exception {
		ListenerClient session = ListenerClient.as(this.port, ALICE);
		session.settings();
		try (EventStream stream = open(ALICE, "/notify-listen/sse/Order/102?events=shipped", null,
				Map.of("Cookie", session.cookieHeader()))) {
			assertThat(stream.status).isEqualTo(200);
			Thread.sleep(300);
			assertThat(session.logout()).isLessThan(400);
			assertThat(stream.ended.get(5, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void corsForTheAllowedOriginOnly() throws Exception {
		try (EventStream allowed = open(ALICE, "/notify-listen/sse/Order/1?events=refresh", null,
				Map.of("Origin", "https://app.example"))) {
			assertThat(allowed.status).isEqualTo(200);
			assertThat(allowed.headers.firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
			assertThat(allowed.headers.firstValue("Access-Control-Allow-Credentials")).hasValue("true");
		}
		try (EventStream other = open(ALICE, "/notify-listen/sse/Order/1?events=refresh", null,
				Map.of("Origin", "https://evil.example"))) {
			assertThat(other.status).isEqualTo(403);
		}
	}

	private void assertRefused(EventStream stream, int status, String reason) throws Exception {
		try (stream) {
			assertThat(stream.status).isEqualTo(status);
			assertThat(stream.body).isEqualTo("{\"error\":\"" + reason.replace("'", "'") + "\"}");
		}
	}

	private EventStream open(String user, String path, @Nullable String lastEventId) throws Exception {
		return open(user, path, lastEventId, Map.of());
	}

	private EventStream open(String user, String path, @Nullable String lastEventId, Map<String, String> headers)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Accept", "text/event-stream")
			.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString((user + ":password").getBytes(StandardCharsets.UTF_8)));
		if (lastEventId != null) {
			request.header("Last-Event-ID", lastEventId);
		}
		headers.forEach(request::header);
		HttpResponse<Stream<String>> response = this.http.send(request.GET().build(),
				HttpResponse.BodyHandlers.ofLines());
		return new EventStream(response);
	}

	record Event(@Nullable String id, String name, JsonNode data) {

	}

	/** Reads {@code text/event-stream} lines on a thread of its own into events. */
	static final class EventStream implements AutoCloseable {

		final int status;

		final java.net.http.HttpHeaders headers;

		final CompletableFuture<String> retry = new CompletableFuture<>();

		final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

		final CompletableFuture<Boolean> ended = new CompletableFuture<>();

		@Nullable String body;

		private final Stream<String> lines;

		EventStream(HttpResponse<Stream<String>> response) {
			this.status = response.statusCode();
			this.headers = response.headers();
			this.lines = response.body();
			if (this.status != 200) {
				this.body = String.join("\n", this.lines.toList());
				return;
			}
			Thread reader = new Thread(this::read, "sse-reader");
			reader.setDaemon(true);
			reader.start();
		}

		private void read() {
			Map<String, String> fields = new LinkedHashMap<>();
			try {
				this.lines.forEach((line) -> {
					if (line.isEmpty()) {
						if (fields.containsKey("data")) {
							this.events.add(new Event(fields.get("id"), fields.getOrDefault("event", "message"),
									JsonMapper.shared().readTree(fields.get("data"))));
						}
						fields.clear();
						return;
					}
					int colon = line.indexOf(':');
					if (colon == 0) {
						return;
					}
					String name = (colon > 0) ? line.substring(0, colon) : line;
					String value = (colon > 0) ? line.substring(colon + 1).stripLeading() : "";
					if (name.equals("retry")) {
						this.retry.complete(value);
					}
					fields.merge(name, value, (a, b) -> a + "\n" + b);
				});
			}
			catch (RuntimeException ex) {
				// The stream was closed.
			}
			this.ended.complete(true);
		}

		Event next(Duration timeout) throws InterruptedException {
			Event event = this.events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(event).as("an event within " + timeout).isNotNull();
			return event;
		}

		@Override
		public void close() {
			this.lines.close();
		}

	}

}
