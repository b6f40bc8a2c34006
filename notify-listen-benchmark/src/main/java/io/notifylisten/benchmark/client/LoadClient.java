package io.notifylisten.benchmark.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opens thousands of listening browsers against a benchmark server and records what they receive.
 *
 * <p>Each listener is one real WebSocket on the JDK's asynchronous {@link WebSocket} client with
 * STOMP frames written and read by hand. That is deliberate and confined to this load generator:
 * Spring's {@code WebSocketStompClient} costs a Tomcat/Jakarta client session with its own threads
 * and handlers per connection and cannot hold 10,000 listeners on two cores next to the servers,
 * while the JDK client multiplexes all of them over one selector thread per {@link HttpClient}.
 * Frames follow STOMP 1.2; only what the benchmark needs (CONNECT, SUBSCRIBE, and reading
 * CONNECTED, MESSAGE, ERROR) is implemented.
 */
public final class LoadClient implements AutoCloseable {

	private static final JsonMapper json = JsonMapper.shared();

	/** Listener setups in flight at once: enough to keep both cores busy, few enough not to time out. */
	private static final int SETUPS_IN_FLIGHT = 64;

	private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

	private static final int SELECTORS = 2;

	private final ExecutorService executor = Executors.newFixedThreadPool(4, (task) -> {
		Thread thread = new Thread(task, "load-client");
		thread.setDaemon(true);
		return thread;
	});

	private final HttpClient http;

	private final HttpClient[] sockets = new HttpClient[SELECTORS];

	private final AtomicInteger nextUser = new AtomicInteger();

	private final AtomicInteger errorFrames = new AtomicInteger();

	private final AtomicInteger unexpectedCloses = new AtomicInteger();

	private volatile @Nullable String lastError;

	private volatile DeliveryRecorder recorder = new DeliveryRecorder(1);

	public LoadClient() {
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.executor(this.executor)
			.connectTimeout(Duration.ofSeconds(20))
			.build();
		for (int i = 0; i < SELECTORS; i++) {
			this.sockets[i] = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.executor(this.executor)
				.connectTimeout(Duration.ofSeconds(20))
				.build();
		}
	}

	/** Send every MESSAGE received from now on to this recorder. */
	public void recordInto(DeliveryRecorder recorder) {
		this.recorder = recorder;
	}

	/** ERROR frames received so far. */
	public int errorFrames() {
		return this.errorFrames.get();
	}

	/** Connections closed by the server or the network rather than by this client. */
	public int unexpectedCloses() {
		return this.unexpectedCloses.get();
	}

	/** The last ERROR message or failure, if any. */
	public @Nullable String lastError() {
		return this.lastError;
	}

	/**
	 * Open {@code count} listeners, listener {@code i} on channel {@code channelOf.apply(i)}
	 * ({@code entity/id/action}), and wait until each has sent SUBSCRIBE or failed.
	 * @param target the server
	 * @param count how many
	 * @param channelOf the channel of each
	 * @return the listeners that got as far as SUBSCRIBE
	 */
	public List<Listener> open(Target target, int count, IntFunction<String> channelOf) throws InterruptedException {
		Semaphore inFlight = new Semaphore(SETUPS_IN_FLIGHT);
		List<CompletableFuture<Listener>> setups = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			if (!inFlight.tryAcquire(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				break;
			}
			CompletableFuture<Listener> setup = target.notifyListen() ? openNotifyListen(target, channelOf.apply(i))
					: openPlain(target, channelOf.apply(i));
			setups.add(setup.orTimeout(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
				.whenComplete((listener, ex) -> inFlight.release()));
		}
		List<Listener> listeners = new ArrayList<>(count);
		for (CompletableFuture<Listener> setup : setups) {
			try {
				listeners.add(setup.join());
			}
			catch (Exception ex) {
				this.lastError = "setup failed: " + rootMessage(ex);
			}
		}
		return listeners;
	}

	/** Close the listeners and give the server a moment to see them go; stragglers are aborted. */
	public void close(List<Listener> listeners) throws InterruptedException {
		List<CompletableFuture<?>> closes = new ArrayList<>(listeners.size());
		for (Listener listener : listeners) {
			closes.add(listener.close());
		}
		try {
			CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// Aborted below.
		}
		for (Listener listener : listeners) {
			listener.abort();
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

	private CompletableFuture<Listener> openPlain(Target target, String channel) {
		Listener listener = new Listener();
		return socketClient().newWebSocketBuilder()
			.connectTimeout(Duration.ofSeconds(20))
			.buildAsync(URI.create(target.webSocketUrl()), listener)
			.thenCompose((socket) -> listener.send(frame("CONNECT", "accept-version", "1.2", "host", "127.0.0.1",
					"heart-beat", "0,0")))
			.thenCompose((sent) -> listener.connected)
			.thenCompose((connectionId) -> listener.send(frame("SUBSCRIBE", "id", "0", "destination",
					destination(target.destinationFormat(), channel))))
			.thenApply((sent) -> listener);
	}

	// The browser's conversation: GET /rest/pusher/key (session, CSRF token), WebSocket with the
	// session cookie and HTTP Basic, CONNECT with the token, POST /rest/pusher/auth for the
	// connection id from CONNECTED, SUBSCRIBE with the signature.
	private CompletableFuture<Listener> openNotifyListen(Target target, String channel) {
		String user = target.userPrefix() + this.nextUser.getAndIncrement();
		String basic = "Basic "
				+ Base64.getEncoder().encodeToString((user + ":password").getBytes(StandardCharsets.UTF_8));
		Listener listener = new Listener();
		HttpRequest keyRequest = HttpRequest.newBuilder(URI.create(target.baseUrl() + "/rest/pusher/key"))
			.header("Authorization", basic)
			.timeout(SETUP_TIMEOUT)
			.GET()
			.build();
		return this.http.sendAsync(keyRequest, HttpResponse.BodyHandlers.ofString()).thenCompose((keyResponse) -> {
			require(keyResponse, "GET /rest/pusher/key");
			String cookie = keyResponse.headers()
				.firstValue("Set-Cookie")
				.map((value) -> value.split(";", 2)[0])
				.orElse("");
			JsonNode settings = json.readTree(keyResponse.body());
			String csrfHeader = settings.path("csrf").path("headerName").asString();
			String csrfToken = settings.path("csrf").path("token").asString();
			String destination = destination(settings.get("destinationFormat").asString(), channel);
			WebSocket.Builder builder = socketClient().newWebSocketBuilder()
				.connectTimeout(Duration.ofSeconds(20))
				.header("Authorization", basic);
			if (!cookie.isEmpty()) {
				builder.header("Cookie", cookie);
			}
			String url = target.baseUrl().replaceFirst("^http", "ws") + settings.get("endpoint").asString();
			return builder.buildAsync(URI.create(url), listener)
				.thenCompose((socket) -> listener.send(frame("CONNECT", "accept-version", "1.2", "host", "127.0.0.1",
						"heart-beat", "0,0", csrfHeader, csrfToken)))
				.thenCompose((sent) -> listener.connected)
				.thenCompose((connectionId) -> {
					String form = "socket_id=" + encode(connectionId) + "&channel_name=" + encode(channel);
					HttpRequest auth = HttpRequest.newBuilder(URI.create(target.baseUrl() + "/rest/pusher/auth"))
						.header("Authorization", basic)
						.header("Cookie", cookie)
						.header(csrfHeader, csrfToken)
						.header("Content-Type", "application/x-www-form-urlencoded")
						.timeout(SETUP_TIMEOUT)
						.POST(HttpRequest.BodyPublishers.ofString(form))
						.build();
					return this.http.sendAsync(auth, HttpResponse.BodyHandlers.ofString());
				})
				.thenCompose((authResponse) -> {
					require(authResponse, "POST /rest/pusher/auth");
					String signature = json.readTree(authResponse.body()).get("auth").asString();
					return listener.send(frame("SUBSCRIBE", "id", "0", "destination", destination, "auth", signature));
				})
				.thenApply((sent) -> listener);
		});
	}

	private HttpClient socketClient() {
		return this.sockets[Math.floorMod(this.nextUser.get(), SELECTORS)];
	}

	private static void require(HttpResponse<String> response, String what) {
		if (response.statusCode() != 200) {
			throw new IllegalStateException(what + " answered " + response.statusCode());
		}
	}

	private static String destination(String format, String channel) {
		String[] parts = channel.split("/");
		return format.replace("{entity}", parts[0]).replace("{id}", parts[1]).replace("{action}", parts[2]);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	static String frame(String command, String... headers) {
		StringBuilder frame = new StringBuilder(128).append(command).append('\n');
		for (int i = 0; i < headers.length; i += 2) {
			frame.append(escape(headers[i])).append(':').append(escape(headers[i + 1])).append('\n');
		}
		return frame.append('\n').append('\0').toString();
	}

	// STOMP 1.2 header escaping; signatures contain a colon.
	private static String escape(String value) {
		return value.replace("\\", "\\\\").replace(":", "\\c").replace("\n", "\\n").replace("\r", "\\r");
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

	// Latency against the server's changedAt: both run on this machine, on the same clock.
	private static long latencyMicros(String frame) {
		int field = frame.indexOf("\"changedAt\":\"");
		if (field < 0) {
			return -1;
		}
		int start = field + 13;
		int end = frame.indexOf('"', start);
		Instant changedAt = Instant.parse(frame.substring(start, end));
		Instant now = Instant.now();
		return TimeUnit.SECONDS.toMicros(now.getEpochSecond() - changedAt.getEpochSecond())
				+ (now.getNano() - changedAt.getNano()) / 1000;
	}

	/**
	 * Where a listener connects.
	 * @param baseUrl for example {@code http://127.0.0.1:8080}
	 * @param notifyListen whether to speak notify-listen's conversation (login, CSRF, signatures)
	 * @param webSocketPath the plain STOMP endpoint, for a baseline server
	 * @param destinationFormat the destination of {entity}/{id}/{action}, for a baseline server
	 * @param userPrefix the user names to log in as, for a notify-listen server
	 */
	public record Target(String baseUrl, boolean notifyListen, String webSocketPath, String destinationFormat,
			String userPrefix) {

		String webSocketUrl() {
			return this.baseUrl.replaceFirst("^http", "ws") + this.webSocketPath;
		}

	}

	/** One listening connection. */
	public final class Listener implements WebSocket.Listener {

		final CompletableFuture<String> connected = new CompletableFuture<>();

		private volatile @Nullable WebSocket socket;

		private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

		private @Nullable StringBuilder partial;

		private volatile boolean closing;

		@Override
		public void onOpen(WebSocket webSocket) {
			this.socket = webSocket;
			webSocket.request(1);
		}

		@Override
		public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			if (!last || this.partial != null) {
				if (this.partial == null) {
					this.partial = new StringBuilder();
				}
				this.partial.append(data);
				if (!last) {
					webSocket.request(1);
					return null;
				}
				data = this.partial;
				this.partial = null;
			}
			onFrames(data.toString());
			webSocket.request(1);
			return null;
		}

		// A server may send several frames in one WebSocket message (notify-listen does when more
		// are waiting for the connection); each ends with a NUL, heart-beats are bare EOLs.
		private void onFrames(String message) {
			int start = 0;
			while (start < message.length()) {
				int end = message.indexOf('\0', start);
				if (end < 0) {
					end = message.length();
				}
				String frame = message.substring(start, end).stripLeading();
				if (!frame.isEmpty()) {
					onFrame(frame);
				}
				start = end + 1;
			}
		}

		private void onFrame(String frame) {
			if (frame.startsWith("MESSAGE")) {
				LoadClient.this.recorder.record(latencyMicros(frame));
			}
			else if (frame.startsWith("CONNECTED")) {
				this.connected.complete(header(frame, "connection-id"));
			}
			else if (frame.startsWith("ERROR")) {
				LoadClient.this.errorFrames.incrementAndGet();
				String message = header(frame, "message");
				LoadClient.this.lastError = "ERROR frame: " + message;
				this.connected.completeExceptionally(new IllegalStateException("ERROR " + message));
			}
		}

		@Override
		public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			closed("closed " + statusCode + " " + reason);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			closed("failed: " + rootMessage(error));
		}

		private void closed(String why) {
			if (!this.closing) {
				LoadClient.this.unexpectedCloses.incrementAndGet();
				LoadClient.this.lastError = "connection " + why;
			}
			this.connected.completeExceptionally(new IllegalStateException(why));
		}

		synchronized CompletableFuture<?> send(String frame) {
			this.lastSend = this.lastSend.thenCompose((previous) -> this.socket.sendText(frame, true));
			return this.lastSend;
		}

		synchronized CompletableFuture<?> close() {
			this.closing = true;
			WebSocket webSocket = this.socket;
			if (webSocket == null || webSocket.isOutputClosed()) {
				return CompletableFuture.completedFuture(null);
			}
			this.lastSend = this.lastSend.handle((previous, ex) -> null)
				.thenCompose((previous) -> webSocket.sendClose(WebSocket.NORMAL_CLOSURE, ""));
			return this.lastSend;
		}

		void abort() {
			this.closing = true;
			WebSocket webSocket = this.socket;
			if (webSocket != null) {
				webSocket.abort();
			}
		}

		private static String header(String frame, String name) {
			int headersEnd = frame.indexOf("\n\n");
			for (String line : frame.substring(0, Math.max(0, headersEnd)).split("\n")) {
				if (line.startsWith(name + ":")) {
					return line.substring(name.length() + 1).replace("\\c", ":");
				}
			}
			return "";
		}

	}

}
