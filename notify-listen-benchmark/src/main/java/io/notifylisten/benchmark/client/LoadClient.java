package io.notifylisten.benchmark.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opens thousands of listening browsers against a benchmark server and records what they
 * receive.
 *
 * <p>
 * Each listener is one real WebSocket on Netty's WebSocket client, with STOMP frames
 * written and read by hand. That is deliberate and confined to this load generator:
 * Spring's {@code WebSocketStompClient} costs a Tomcat/Jakarta client session with its
 * own threads and handlers per connection and cannot hold 10,000 listeners on two cores
 * next to the servers. The JDK's {@code java.net.http.WebSocket}, used before, could, but
 * cost the load generator about as much CPU per message as the server under test spent
 * (12 to 28 µs, measured with the fan-out scenario's CPU columns), on the same two cores:
 * Netty reads each message on its event loop with no further hand-off. HTTP (login,
 * signatures) still goes through the JDK's {@link HttpClient}. Frames follow STOMP 1.2;
 * only what the benchmark needs (CONNECT, SUBSCRIBE, and reading CONNECTED, MESSAGE,
 * ERROR) is implemented.
 */
public final class LoadClient implements AutoCloseable {

	private static final JsonMapper json = JsonMapper.shared();

	/**
	 * Listener setups in flight at once: enough to keep both cores busy, few enough not
	 * to time out.
	 */
	private static final int SETUPS_IN_FLIGHT = 64;

	private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

	private static final int SELECTORS = 2;

	private static final String PRESENCE = "presence-";

	private final ExecutorService executor = Executors.newFixedThreadPool(4, (task) -> {
		Thread thread = new Thread(task, "load-client");
		thread.setDaemon(true);
		return thread;
	});

	private final HttpClient http;

	private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(SELECTORS,
			new DefaultThreadFactory("load-client-io", true), NioIoHandler.newFactory());

	private final AtomicInteger nextUser = new AtomicInteger();

	private final AtomicInteger errorFrames = new AtomicInteger();

	private final AtomicInteger unexpectedCloses = new AtomicInteger();

	private volatile @Nullable String lastError;

	private volatile DeliveryRecorder recorder = new DeliveryRecorder(1);

	/** SO_RCVBUF of the listeners opened from now on; 0 for the system's default. */
	private volatile int receiveBuffer;

	/** The browser client's listen throttle the listeners model; 0 for none. */
	private volatile long throttleNanos;

	private volatile int lastMessageLength;

	public LoadClient() {
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.executor(this.executor)
			.connectTimeout(Duration.ofSeconds(20))
			.build();
	}

	/** Send every MESSAGE received from now on to this recorder. */
	public void recordInto(DeliveryRecorder recorder) {
		this.recorder = recorder;
	}

	/**
	 * Give the listeners opened from now on this socket receive buffer, so that one that
	 * stops reading backs the server's writes up soon, as a slow page over a real network
	 * does; 0 for the system's default.
	 * @param bytes the buffer size
	 */
	public void receiveBuffer(int bytes) {
		this.receiveBuffer = bytes;
	}

	/**
	 * Count the calls of each listener's handler as the browser client's
	 * {@code listen(..., { throttle })} would make them: the first message at once, the
	 * latest of those within the interval at its end; zero counts one call per message.
	 * @param interval the throttle
	 */
	public void throttle(Duration interval) {
		this.throttleNanos = interval.toNanos();
	}

	/**
	 * Count the trailing handler calls the listeners' throttles still hold, as their
	 * timers would fire.
	 * @param listeners the listeners
	 */
	public void flushThrottles(List<Listener> listeners) {
		listeners.forEach(Listener::flushThrottle);
	}

	/**
	 * The length of the last MESSAGE frame received, in characters (bytes for the
	 * benchmark's ASCII messages), or 0: what a peer server's messages are padded to.
	 */
	public int lastMessageLength() {
		return this.lastMessageLength;
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
	 * Open {@code count} listeners, listener {@code i} on channel
	 * {@code channelOf.apply(i)} ({@code entity/id/action}, or {@code presence-entity/id}
	 * for an object's presence), and wait until each has sent SUBSCRIBE or failed.
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

	/**
	 * Close the listeners and give the server a moment to see them go; stragglers are
	 * aborted.
	 */
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
		this.loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	private CompletableFuture<Listener> openPlain(Target target, String channel) {
		Listener listener = new Listener();
		return connect(URI.create(target.webSocketUrl()), new DefaultHttpHeaders(), listener)
			.thenCompose((socket) -> listener
				.send(frame("CONNECT", "accept-version", "1.2", "host", "127.0.0.1", "heart-beat", "0,0")))
			.thenCompose((sent) -> listener.connected)
			.thenCompose((connectionId) -> listener
				.send(frame("SUBSCRIBE", "id", "0", "destination", destination(target.destinationFormat(), channel))))
			.thenApply((sent) -> listener);
	}

	// The browser's conversation: GET /rest/pusher/key (session, CSRF token), WebSocket
	// with the session cookie and HTTP Basic, CONNECT with the token, POST
	// /rest/pusher/auth for the connection id from CONNECTED, SUBSCRIBE with the
	// signature.
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
			String destination = channel.startsWith(PRESENCE)
					? presenceDestination(settings.get("presenceDestinationFormat").asString(), channel)
					: destination(settings.get("destinationFormat").asString(), channel);
			HttpHeaders headers = new DefaultHttpHeaders().add("Authorization", basic);
			if (!cookie.isEmpty()) {
				headers.add("Cookie", cookie);
			}
			String url = target.baseUrl().replaceFirst("^http", "ws") + settings.get("endpoint").asString();
			return connect(URI.create(url), headers, listener)
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

	// As the browser: no Origin header (the servers accept same-origin and header-less
	// requests), close frames handled by the listener so that it can tell the server's
	// close from its own.
	private CompletableFuture<Listener> connect(URI uri, HttpHeaders headers, Listener listener) {
		WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
			.webSocketUri(uri)
			.customHeaders(headers)
			.generateOriginHeader(false)
			.handleCloseFrames(false)
			.maxFramePayloadLength(1 << 20)
			// Both servers write valid UTF-8 (the tests check what they write);
			// validating every byte of every message costs the load generator CPU that
			// the server under test would get.
			.withUTF8Validator(false)
			.handshakeTimeoutMillis(SETUP_TIMEOUT.toMillis())
			.build();
		Bootstrap bootstrap = new Bootstrap();
		if (this.receiveBuffer > 0) {
			bootstrap.option(ChannelOption.SO_RCVBUF, this.receiveBuffer);
		}
		bootstrap.group(this.loops)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					channel.pipeline()
						.addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
								new WebSocketClientProtocolHandler(config), listener);
				}
			})
			.connect(uri.getHost(), uri.getPort())
			.addListener((ChannelFutureListener) (future) -> {
				if (!future.isSuccess()) {
					listener.opened.completeExceptionally(future.cause());
				}
			});
		return listener.opened;
	}

	private static void require(HttpResponse<String> response, String what) {
		if (response.statusCode() != 200) {
			throw new IllegalStateException(what + " answered " + response.statusCode());
		}
	}

	// presence-{entity}/{id}, as the browser client names an object's presence.
	private static String presenceDestination(String format, String presence) {
		String[] parts = presence.substring(PRESENCE.length()).split("/");
		return format.replace("{entity}", parts[0]).replace("{id}", parts[1]);
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

	// Latency against the server's changedAt: both run on this machine, on the same
	// clock.
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
	 *
	 * @param baseUrl for example {@code http://127.0.0.1:8080}
	 * @param notifyListen whether to speak notify-listen's conversation (login, CSRF,
	 * signatures)
	 * @param webSocketPath the plain STOMP endpoint, for a baseline server
	 * @param destinationFormat the destination of {entity}/{id}/{action}, for a baseline
	 * server
	 * @param userPrefix the user names to log in as, for a notify-listen server
	 */
	public record Target(String baseUrl, boolean notifyListen, String webSocketPath, String destinationFormat,
			String userPrefix) {

		String webSocketUrl() {
			return this.baseUrl.replaceFirst("^http", "ws") + this.webSocketPath;
		}

	}

	/** One listening connection, a Netty channel. */
	public final class Listener extends SimpleChannelInboundHandler<WebSocketFrame> {

		final CompletableFuture<Listener> opened = new CompletableFuture<>();

		final CompletableFuture<String> connected = new CompletableFuture<>();

		private volatile @Nullable Channel channel;

		private @Nullable StringBuilder partial;

		private volatile boolean closing;

		private volatile boolean reported;

		private volatile int presenceCount;

		/** When the modelled handler last ran, on the nanoTime scale. */
		private long lastHandlerCall = Long.MIN_VALUE / 4;

		/** When the throttle's trailing call is due; negative for none held. */
		private volatile long trailingDue = -1;

		@Override
		public void handlerAdded(ChannelHandlerContext context) {
			this.channel = context.channel();
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
			if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
				this.opened.complete(this);
			}
			else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
				this.opened.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
			}
			super.userEventTriggered(context, event);
		}

		@Override
		protected void channelRead0(ChannelHandlerContext context, WebSocketFrame frame) {
			if (frame instanceof CloseWebSocketFrame close) {
				closed("closed " + close.statusCode() + " " + close.reasonText());
				context.close();
				return;
			}
			if (!(frame instanceof TextWebSocketFrame) && !(frame instanceof ContinuationWebSocketFrame)) {
				return;
			}
			String text = frame.content().toString(StandardCharsets.UTF_8);
			if (!frame.isFinalFragment() || this.partial != null) {
				if (this.partial == null) {
					this.partial = new StringBuilder();
				}
				this.partial.append(text);
				if (!frame.isFinalFragment()) {
					return;
				}
				text = this.partial.toString();
				this.partial = null;
			}
			onFrames(text);
		}

		// A server may send several frames in one WebSocket message (notify-listen does
		// when more are waiting for the connection); each ends with a NUL, heart-beats
		// are bare EOLs.
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
				DeliveryRecorder recorder = LoadClient.this.recorder;
				recorder.record(latencyMicros(frame));
				String folded = header(frame, "notify-listen-folded");
				if (!folded.isEmpty()) {
					recorder.recordFolded(Integer.parseInt(folded));
				}
				handlerCall(System.nanoTime(), recorder);
				LoadClient.this.lastMessageLength = frame.length();
				int count = presenceCount(frame);
				if (count >= 0) {
					this.presenceCount = count;
				}
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

		// The browser client's throttle, without its timer: a trailing call that fell due
		// is counted when the next message arrives or at the end of the measurement.
		private void handlerCall(long now, DeliveryRecorder recorder) {
			long interval = LoadClient.this.throttleNanos;
			if (interval <= 0) {
				recorder.recordHandlerCall();
				return;
			}
			long due = this.trailingDue;
			if (due >= 0 && now >= due) {
				recorder.recordHandlerCall();
				this.lastHandlerCall = due;
				this.trailingDue = -1;
			}
			if (this.trailingDue < 0 && now - this.lastHandlerCall >= interval) {
				recorder.recordHandlerCall();
				this.lastHandlerCall = now;
			}
			else if (this.trailingDue < 0) {
				this.trailingDue = this.lastHandlerCall + interval;
			}
		}

		void flushThrottle() {
			if (this.trailingDue >= 0) {
				this.trailingDue = -1;
				LoadClient.this.recorder.recordHandlerCall();
			}
		}

		/** Stop reading from the socket, as a page busy elsewhere does. */
		public void pauseReading() {
			Channel open = this.channel;
			if (open != null) {
				open.config().setAutoRead(false);
			}
		}

		/** Read again. */
		public void resumeReading() {
			Channel open = this.channel;
			if (open != null) {
				open.config().setAutoRead(true);
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext context) throws Exception {
			closed("connection closed");
			super.channelInactive(context);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			closed("failed: " + rootMessage(cause));
			context.close();
		}

		private void closed(String why) {
			this.opened.completeExceptionally(new IllegalStateException(why));
			this.connected.completeExceptionally(new IllegalStateException(why));
			if (this.reported) {
				return;
			}
			this.reported = true;
			if (!this.closing) {
				LoadClient.this.unexpectedCloses.incrementAndGet();
				LoadClient.this.lastError = "connection " + why;
			}
		}

		/**
		 * How many members the last presence frame said were present, or 0 before one
		 * arrived.
		 */
		public int presenceCount() {
			return this.presenceCount;
		}

		// Every presence frame carries "count" at its top level, and a notification never
		// does.
		private static int presenceCount(String frame) {
			int field = frame.indexOf("\"count\":");
			if (field < 0 || frame.indexOf("notify-listen-presence:") < 0) {
				return -1;
			}
			int start = field + 8;
			int end = start;
			while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
				end++;
			}
			return Integer.parseInt(frame.substring(start, end));
		}

		CompletableFuture<?> send(String frame) {
			CompletableFuture<Void> sent = new CompletableFuture<>();
			Channel open = this.channel;
			if (open == null) {
				sent.completeExceptionally(new IllegalStateException("not connected"));
				return sent;
			}
			open.writeAndFlush(new TextWebSocketFrame(frame)).addListener((ChannelFutureListener) (future) -> {
				if (future.isSuccess()) {
					sent.complete(null);
				}
				else {
					sent.completeExceptionally(future.cause());
				}
			});
			return sent;
		}

		CompletableFuture<?> close() {
			this.closing = true;
			Channel open = this.channel;
			CompletableFuture<Void> closed = new CompletableFuture<>();
			if (open == null || !open.isActive()) {
				closed.complete(null);
				return closed;
			}
			open.closeFuture().addListener((future) -> closed.complete(null));
			// The server answers with its own close frame and then ends the TCP
			// connection.
			open.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
			return closed;
		}

		void abort() {
			this.closing = true;
			Channel open = this.channel;
			if (open != null) {
				open.close();
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
