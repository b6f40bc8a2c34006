package io.notifylisten.testapp;

import java.lang.reflect.Type;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * A listening browser, played by Spring's real {@link WebSocketStompClient} over a real
 * WebSocket plus a real HTTP client: it logs in with HTTP Basic, keeps the session
 * cookie, fetches {@code /rest/pusher/key}, connects with the CSRF token, and signs
 * subscriptions through {@code /rest/pusher/auth}, exactly as the browser client does.
 */
public final class ListenerClient implements AutoCloseable {

	/**
	 * How long a test waits to be sure a message does not come: a delivery on one node
	 * takes a few milliseconds, so what has not arrived by then was not sent.
	 */
	public static final Duration QUIET = Duration.ofMillis(500);

	private static final JsonMapper json = JsonMapper.shared();

	private final String baseUrl;

	private final @Nullable String username;

	private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

	private final WebSocketStompClient stompClient = new WebSocketStompClient(
			new StandardWebSocketClient(browserLike()));

	/** Every MESSAGE body received, in order. */
	public final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();

	/** The headers of every MESSAGE received, in the order of {@link #messages}. */
	public final BlockingQueue<StompHeaders> frameHeaders = new LinkedBlockingQueue<>();

	/** The {@code message} header of every ERROR frame received. */
	public final BlockingQueue<String> errors = new LinkedBlockingQueue<>();

	private final CompletableFuture<Void> closed = new CompletableFuture<>();

	private volatile StompHeaders lastHeaders = new StompHeaders();

	private final CompletableFuture<Void> connected = new CompletableFuture<>();

	private @Nullable StompSession session;

	private @Nullable String connectionId;

	private @Nullable JsonNode settings;

	private ListenerClient(String baseUrl, @Nullable String username) {
		this.baseUrl = baseUrl;
		this.username = username;
		this.stompClient.setMessageConverter(new JacksonJsonMessageConverter(json));
	}

	/** A client logged in as {@code username} (password {@code password}). */
	public static ListenerClient as(int port, String username) {
		return new ListenerClient("http://localhost:" + port, username);
	}

	/** A client that never logs in. */
	public static ListenerClient anonymous(int port) {
		return new ListenerClient("http://localhost:" + port, null);
	}

	/**
	 * GET /rest/pusher/key, which also starts the HTTP session that holds the CSRF token.
	 */
	public JsonNode settings() throws Exception {
		if (this.settings == null) {
			HttpResponse<String> response = this.http.send(request("/rest/pusher/key").GET().build(),
					HttpResponse.BodyHandlers.ofString());
			this.settings = json.readTree(response.body());
		}
		return this.settings;
	}

	/** Connect with the session's CSRF token. */
	public ListenerClient connect() throws Exception {
		JsonNode csrf = settings().path("csrf");
		return connect(csrf.isMissingNode() ? null : csrf.get("token").asString());
	}

	/** Connect with the given CSRF token, or none. */
	public ListenerClient connect(@Nullable String csrfToken) throws Exception {
		JsonNode settings = settings();
		WebSocketHttpHeaders handshake = new WebSocketHttpHeaders();
		authorization().ifPresent((value) -> handshake.add("Authorization", value));
		String cookies = cookieHeader();
		if (!cookies.isEmpty()) {
			handshake.add("Cookie", cookies);
		}
		StompHeaders connect = new StompHeaders();
		if (csrfToken != null) {
			connect.add("X-CSRF-TOKEN", csrfToken);
		}
		String url = this.baseUrl.replace("http", "ws") + settings.get("endpoint").asString();
		this.session = this.stompClient.connectAsync(url, handshake, connect, new Handler())
			.exceptionally((ex) -> null)
			.get(10, TimeUnit.SECONDS);
		// The session future completes just before afterConnected has read the CONNECTED
		// headers.
		CompletableFuture.anyOf(this.connected, this.closed).get(10, TimeUnit.SECONDS);
		return this;
	}

	/** The STOMP headers of the last MESSAGE received. */
	public Map<String, List<String>> lastHeaders() {
		return this.lastHeaders.toSingleValueMap()
			.keySet()
			.stream()
			.collect(java.util.stream.Collectors.toMap((name) -> name, this.lastHeaders::get));
	}

	/** Whether CONNECTED arrived. */
	public boolean isConnected() {
		return this.session != null && this.session.isConnected() && !this.closed.isDone();
	}

	/** The connection id from the CONNECTED frame. */
	public @Nullable String connectionId() {
		return this.connectionId;
	}

	/** POST /rest/pusher/auth for this connection (or another id) and a channel. */
	public HttpResponse<String> authorize(String connectionId, String channel) throws Exception {
		String form = "socket_id=" + enc(connectionId) + "&channel_name=" + enc(channel);
		HttpRequest.Builder request = request("/rest/pusher/auth")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form));
		JsonNode csrf = settings().path("csrf");
		if (!csrf.isMissingNode()) {
			request.header(csrf.get("headerName").asString(), csrf.get("token").asString());
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * POST to a path with the session's CSRF token and extra headers, as a page's script
	 * does.
	 */
	public int post(String path, Map<String, String> headers) throws Exception {
		HttpRequest.Builder request = request(path).POST(HttpRequest.BodyPublishers.noBody());
		JsonNode csrf = settings().path("csrf");
		request.header(csrf.get("headerName").asString(), csrf.get("token").asString());
		headers.forEach(request::header);
		return this.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	/** POST /logout with the session's CSRF token, as a logout button does. */
	public int logout() throws Exception {
		HttpRequest.Builder request = request("/logout").POST(HttpRequest.BodyPublishers.noBody());
		JsonNode csrf = settings().path("csrf");
		request.header(csrf.get("headerName").asString(), csrf.get("token").asString());
		return this.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	/** The signature for a channel on this connection, from /rest/pusher/auth. */
	public String signature(String channel) throws Exception {
		HttpResponse<String> response = authorize(this.connectionId, channel);
		if (response.statusCode() != 200) {
			throw new IllegalStateException("auth refused: " + response.statusCode() + " " + response.body());
		}
		return json.readTree(response.body()).get("auth").asString();
	}

	/**
	 * Subscribe to a channel ({@code entity/id/action}) with a signature from
	 * /rest/pusher/auth.
	 */
	public ListenerClient listen(String channel) throws Exception {
		return subscribe(destination(channel), signature(channel));
	}

	/**
	 * Subscribe to a channel, asking for what was missed since the given epoch and
	 * sequence.
	 */
	public ListenerClient listenSince(String channel, String epoch, long sequence) throws Exception {
		StompHeaders headers = new StompHeaders();
		headers.add("last-epoch", epoch);
		headers.add("last-sequence", String.valueOf(sequence));
		return subscribe(destination(channel), signature(channel), headers);
	}

	/**
	 * Subscribe to a type channel (<code>entity/&#42;/action</code>) with a filter on its
	 * payload's fields, signed for that filter by /rest/pusher/auth.
	 */
	public ListenerClient listenWhere(String channel, String where) throws Exception {
		return subscribeWhere(channel, where, signature(channel + "?" + where));
	}

	/** Subscribe to a channel with a filter and the given signature, or none. */
	public ListenerClient subscribeWhere(String channel, String where, @Nullable String signature) throws Exception {
		StompHeaders headers = new StompHeaders();
		headers.add("where", where);
		return subscribe(destination(channel), signature, headers);
	}

	/** Subscribe to a raw destination with the given signature, or none. */
	public ListenerClient subscribe(String destination, @Nullable String signature) {
		return subscribe(destination, signature, new StompHeaders());
	}

	private ListenerClient subscribe(String destination, @Nullable String signature, StompHeaders headers) {
		headers.setDestination(destination);
		if (signature != null) {
			headers.add("auth", signature);
		}
		this.session.subscribe(headers, new Handler());
		return this;
	}

	/** The STOMP destination of a channel, following the format the server published. */
	public String destination(String channel) throws Exception {
		String[] parts = channel.split("/");
		return settings().get("destinationFormat")
			.asString()
			.replace("{entity}", parts[0])
			.replace("{id}", parts[1])
			.replace("{action}", parts[2]);
	}

	/**
	 * Subscribe to an object's presence ({@code entity/id}) with a signature from
	 * /rest/pusher/auth.
	 * @return the subscription, to unsubscribe
	 */
	public StompSession.Subscription present(String entity, String id) throws Exception {
		return subscribe(presenceHeaders(entity, id));
	}

	/** The SUBSCRIBE headers for an object's presence, signed, to send later. */
	public StompHeaders presenceHeaders(String entity, String id) throws Exception {
		StompHeaders headers = new StompHeaders();
		headers.setDestination(presenceDestination(entity, id));
		headers.add("auth", signature("presence-" + entity + "/" + id));
		return headers;
	}

	/**
	 * SUBSCRIBE with the given headers, such as {@link #presenceHeaders}; a copy, so they
	 * can be sent again.
	 */
	public StompSession.Subscription subscribe(StompHeaders headers) {
		StompHeaders copy = new StompHeaders();
		copy.putAll(headers);
		return this.session.subscribe(copy, new Handler());
	}

	/**
	 * The STOMP destination of an object's presence, following the format the server
	 * published.
	 */
	public String presenceDestination(String entity, String id) throws Exception {
		return settings().get("presenceDestinationFormat").asString().replace("{entity}", entity).replace("{id}", id);
	}

	/**
	 * The next MESSAGE whose {@code notify-listen-presence} header is the given kind,
	 * skipping others.
	 */
	public @Nullable JsonNode nextPresence(String kind, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			StompHeaders headers = this.frameHeaders.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
					TimeUnit.MILLISECONDS);
			if (headers == null) {
				return null;
			}
			JsonNode body = this.messages.poll(1, TimeUnit.SECONDS);
			if (kind.equals(headers.getFirst("notify-listen-presence"))) {
				return body;
			}
		}
		return null;
	}

	/** SEND a frame, which the server must refuse. */
	public void send(String destination, Object body) {
		this.session.send(destination, body);
	}

	/** Wait until the server closed the connection. */
	public boolean awaitClosed(Duration timeout) {
		try {
			this.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}

	public @Nullable JsonNode nextMessage(Duration timeout) throws InterruptedException {
		return this.messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * The ids of the next messages, in the order they arrive: fewer than asked for where
	 * one does not come within a second.
	 */
	public List<String> nextIds(int count) throws InterruptedException {
		List<String> ids = new java.util.ArrayList<>();
		for (int i = 0; i < count; i++) {
			JsonNode message = nextMessage(Duration.ofSeconds(1));
			if (message == null) {
				break;
			}
			ids.add(message.get("id").asString());
		}
		return ids;
	}

	public @Nullable String nextError(Duration timeout) throws InterruptedException {
		return this.errors.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		if (this.session != null && this.session.isConnected()) {
			this.session.disconnect();
		}
		this.stompClient.stop();
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(this.baseUrl + path));
		authorization().ifPresent((value) -> builder.header("Authorization", value));
		return builder;
	}

	java.util.Optional<String> authorization() {
		if (this.username == null) {
			return java.util.Optional.empty();
		}
		String credentials = this.username + ":password";
		return java.util.Optional
			.of("Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
	}

	/** The session cookie, as a Cookie header value. */
	public String cookieHeader() {
		List<String> cookies = ((CookieManager) this.http.cookieHandler().orElseThrow()).getCookieStore()
			.getCookies()
			.stream()
			.map((cookie) -> cookie.getName() + "=" + cookie.getValue())
			.toList();
		return String.join("; ", cookies);
	}

	// A browser takes a WebSocket message of any size; the container's client takes whole
	// messages up to its default buffer, which Tomcat's JVM-wide DEFAULT_BUFFER_SIZE sets
	// (8 KiB unless the property lowers it, as docs/operations.md advises for Tomcat).
	private static WebSocketContainer browserLike() {
		WebSocketContainer container = ContainerProvider.getWebSocketContainer();
		container.setDefaultMaxTextMessageBufferSize(64 * 1024);
		return container;
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private final class Handler extends StompSessionHandlerAdapter {

		@Override
		public void afterConnected(StompSession session, StompHeaders connectedHeaders) {
			ListenerClient.this.connectionId = connectedHeaders.getFirst("connection-id");
			ListenerClient.this.connected.complete(null);
		}

		@Override
		public Type getPayloadType(StompHeaders headers) {
			return JsonNode.class;
		}

		@Override
		public void handleFrame(StompHeaders headers, @Nullable Object payload) {
			String message = headers.getFirst("message");
			if (message != null && headers.getSubscription() == null) {
				ListenerClient.this.errors.add(message);
				return;
			}
			if (payload != null) {
				ListenerClient.this.lastHeaders = headers;
				// Headers first: a reader of both takes the headers, then finds the body
				// there.
				ListenerClient.this.frameHeaders.add(headers);
				ListenerClient.this.messages.add((JsonNode) payload);
			}
		}

		@Override
		public void handleTransportError(StompSession session, Throwable exception) {
			ListenerClient.this.closed.complete(null);
		}

		@Override
		public void handleException(StompSession session, @Nullable StompCommand command, StompHeaders headers,
				byte[] payload, Throwable exception) {
			throw new IllegalStateException("Unreadable frame " + command + " " + headers, exception);
		}

	}

}
