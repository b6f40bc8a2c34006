package io.notifylisten.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpExchange;
import io.notifylisten.sample.order.OrderService;
import io.notifylisten.sample.order.OrderStatus;
import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.notifylisten.sample.OrderPageBrowserTests.otherThan;
import static io.notifylisten.sample.OrderPageBrowserTests.user;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-page app (sample-spa, built with the npm package) on another origin than the
 * API, logged in with the session cookie: it works where the two origins are the same
 * site ({@code localhost:<spa>} and {@code localhost:<api>}), and the cookie is not sent
 * where they are not ({@code 127.0.0.1:<spa>}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(90)
class SinglePageAppBrowserTests {

	// What `npm run build` in sample-spa wrote; the module's Maven build runs first.
	private static final Path DIST = Path.of("..", "sample-spa", "dist").toAbsolutePath().normalize();

	private static final Map<String, String> CONTENT_TYPES = Map.of("html", "text/html", "js", "text/javascript", "css",
			"text/css", "json", "application/json");

	private static final HttpServer SPA = serveSpa();

	// The API's address for config.json: the port is known once the application runs.
	private static volatile String api = "";

	@LocalServerPort
	private int port;

	@Autowired
	private OrderService orders;

	@DynamicPropertySource
	static void allowTheSpaOrigins(DynamicPropertyRegistry registry) {
		registry.add("notify-listen.allowed-origins", () -> spa("localhost") + "," + spa("127.0.0.1"));
	}

	@BeforeEach
	void pointTheSpaAtTheApi() {
		api = "http://localhost:" + this.port;
	}

	@AfterAll
	static void stopSpa() {
		SPA.stop(0);
	}

	@Test
	void showsAnotherUsersSaveOnTheSpaOfTheSameSiteAndSavesThroughTheApi() {
		try (Browser alice = Browser.start(api)) {
			alice.visit(spa("localhost") + "/");
			logIn(alice, DemoUsers.ALICE);
			alice.waitForText(By.id("current-user"), DemoUsers.ALICE, Browser.DEFAULT_WAIT);
			alice.waitFor(By.cssSelector("#order-row-1 a"), Browser.DEFAULT_WAIT).click();
			alice.waitFor(By.id("order-details"), Browser.DEFAULT_WAIT);
			// Subscribed: the listen handle's ready has resolved.
			alice.waitFor(By.id("live"), Browser.DEFAULT_WAIT);
			assertThat(alice.find(By.id("state")).getAttribute("data-state")).isEqualTo("connected");
			String next = otherThan(alice.find(By.id("order-status")).getText());

			this.orders.save(user(DemoUsers.BOB), 1, OrderStatus.valueOf(next), new BigDecimal("10.00"));

			alice.waitForText(By.id("order-status"), next, Duration.ofSeconds(2));
			assertThat(alice.find(By.id("order-changed-by")).getText()).isEqualTo(DemoUsers.BOB);

			// A PUT with the CSRF token and originHeaders(): the API's CORS lets both
			// through.
			String mine = otherThan(next);
			new Select(alice.find(By.id("status-input"))).selectByVisibleText(mine);
			alice.find(By.id("save-order")).click();
			alice.waitForText(By.id("save-result"), "Saved", Browser.DEFAULT_WAIT);
			assertThat(alice.find(By.id("order-status")).getText()).isEqualTo(mine);
			assertThat(alice.find(By.id("order-changed-by")).getText()).isEqualTo(DemoUsers.ALICE);

			alice.find(By.id("logout")).click();
			alice.waitFor(By.id("login-form"), Browser.DEFAULT_WAIT);
			alice.waitForAttribute(By.id("state"), "data-state", "idle", Browser.DEFAULT_WAIT);
		}
	}

	@Test
	void sendsTheSessionCookieToTheSpaOfTheSameSiteOnlyNotToAnotherSite() {
		try (Browser alice = Browser.start(api)) {
			alice.loginAs(DemoUsers.ALICE);

			// 127.0.0.1 is another site than localhost: the cookie of the login above
			// stays
			// home, and so does the one a login from there would set.
			alice.visit(spa("127.0.0.1") + "/");
			alice.waitFor(By.id("login-form"), Browser.DEFAULT_WAIT);
			logIn(alice, DemoUsers.ALICE);
			alice.waitForText(By.id("login-error"), "Login failed", Browser.DEFAULT_WAIT);
			assertThat(alice.find(By.id("current-user")).getText()).isEmpty();

			// Another origin of the same site: the cookie goes with the requests.
			alice.visit(spa("localhost") + "/");
			alice.waitForText(By.id("current-user"), DemoUsers.ALICE, Browser.DEFAULT_WAIT);
		}
	}

	private static void logIn(Browser browser, String username) {
		browser.waitFor(By.id("username"), Browser.DEFAULT_WAIT).sendKeys(username);
		browser.find(By.id("password")).sendKeys(DemoUsers.PASSWORD);
		browser.find(By.id("login")).click();
	}

	private static String spa(String host) {
		return "http://" + host + ":" + SPA.getAddress().getPort();
	}

	/**
	 * The built app from a static server on loopback (JDK 17 has no SimpleFileServer),
	 * and config.json, which tells it where the API is.
	 */
	private static HttpServer serveSpa() {
		if (!Files.isRegularFile(DIST.resolve("index.html"))) {
			throw new IllegalStateException(
					"No " + DIST.resolve("index.html") + ": build sample-spa first (./mvnw -pl sample-app -am ...)");
		}
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/", (exchange) -> {
				String path = exchange.getRequestURI().getPath();
				Path file = DIST.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
				if (!file.startsWith(DIST) || !Files.isRegularFile(file)) {
					respond(exchange, 404, "text/plain", new byte[0]);
					return;
				}
				String name = file.getFileName().toString();
				respond(exchange, 200,
						CONTENT_TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "text/plain"),
						Files.readAllBytes(file));
			});
			server.createContext("/config.json", (exchange) -> respond(exchange, 200, "application/json",
					("{\"api\": \"" + api + "\"}").getBytes(StandardCharsets.UTF_8)));
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
		exchange.getResponseHeaders().set("Content-Type", contentType);
		exchange.sendResponseHeaders(status, (body.length > 0) ? body.length : -1);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

}
