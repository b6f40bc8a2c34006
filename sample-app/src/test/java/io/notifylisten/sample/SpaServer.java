package io.notifylisten.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The single-page app's build (sample-spa/dist) from a static server on loopback, another
 * origin than the API's, with the config.json a test gives it: where the API is and how
 * the app logs in. JDK 17 has no SimpleFileServer.
 */
final class SpaServer implements AutoCloseable {

	// What `npm run build` in sample-spa wrote; the module's Maven build runs first.
	private static final Path DIST = Path.of("..", "sample-spa", "dist").toAbsolutePath().normalize();

	private static final Map<String, String> CONTENT_TYPES = Map.of("html", "text/html", "js", "text/javascript", "css",
			"text/css", "json", "application/json");

	private final HttpServer server;

	// Known once the application runs, so set by each test before the app loads it.
	private volatile String config = "{}";

	private SpaServer(HttpServer server) {
		this.server = server;
	}

	static SpaServer start() {
		if (!Files.isRegularFile(DIST.resolve("index.html"))) {
			throw new IllegalStateException(
					"No " + DIST.resolve("index.html") + ": build sample-spa first (./mvnw -pl sample-app -am ...)");
		}
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			SpaServer spa = new SpaServer(server);
			server.createContext("/", SpaServer::serveFile);
			server.createContext("/config.json", (exchange) -> respond(exchange, 200, "application/json",
					spa.config.getBytes(StandardCharsets.UTF_8)));
			server.start();
			return spa;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Serve this config.json from now on.
	 * @param json for example {@code {"api": "http://localhost:8080"}}
	 */
	void config(String json) {
		this.config = json;
	}

	/**
	 * Return the app's address on a host name for loopback.
	 * @param host {@code localhost} or {@code 127.0.0.1}: two sites
	 * @return for example {@code http://127.0.0.1:41234}
	 */
	String url(String host) {
		return "http://" + host + ":" + this.server.getAddress().getPort();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	private static void serveFile(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getPath();
		Path file = DIST.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
		if (!file.startsWith(DIST) || !Files.isRegularFile(file)) {
			respond(exchange, 404, "text/plain", new byte[0]);
			return;
		}
		String name = file.getFileName().toString();
		respond(exchange, 200, CONTENT_TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "text/plain"),
				Files.readAllBytes(file));
	}

	private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
		exchange.getResponseHeaders().set("Content-Type", contentType);
		exchange.sendResponseHeaders(status, (body.length > 0) ? body.length : -1);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

}
