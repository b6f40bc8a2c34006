package io.notifylisten.internal.channel;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.notifylisten.listen.EntityId;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.notify.Notifier;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static io.notifylisten.testapp.ListenerClient.QUIET;
import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static io.notifylisten.testapp.OrdersTestApplication.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener to every object of a type with a filter on declared payload fields
 * (<code>where: {"customer": 42}</code>) gets only the notifications whose payload
 * matches, each still checked for its object at delivery, over a real WebSocket against
 * the real application: on the direct fan-out ({@code changed}) and on Spring's broker
 * path ({@code reviewed}, which has a {@code @NotifyListen} handler). A filter on an
 * undeclared field, or one the signature was not made for, is refused. An event stream of
 * every ticket takes the same filter as its {@code where} parameter.
 */
@OrdersServerTest("notify-listen.key=type-filters")
@Import(TypeFilterIntegrationTests.Tickets.class)
@ExtendWith(OutputCaptureExtension.class)
class TypeFilterIntegrationTests {

	private static final Duration REFUSAL = Duration.ofSeconds(5);

	/** The ticket Bob may not read. */
	private static final long SECRET_TICKET = 3;

	@LocalServerPort
	int port;

	@Autowired
	Notifier notifier;

	@Test
	void eachFilteredListenerGetsOnlyItsMatchesAndAnUnfilteredOneGetsAll() throws Exception {
		for (String action : List.of("changed", "reviewed")) {
			try (ListenerClient customer42 = ListenerClient.as(this.port, ALICE).connect();
					ListenerClient openOf7 = ListenerClient.as(this.port, ALICE).connect();
					ListenerClient everything = ListenerClient.as(this.port, ALICE).connect()) {
				customer42.listenWhere("Ticket/*/" + action, "{\"customer\":42}");
				openOf7.listenWhere("Ticket/*/" + action, "{\"status\":\"open\",\"customer\":7}");
				everything.listen("Ticket/*/" + action);
				awaitSubscribed();
				this.notifier.notify("Ticket", 11, action, new TicketChange(42, "open"));
				this.notifier.notify("Ticket", 12, action, new TicketChange(7, "open"));
				this.notifier.notify("Ticket", 13, action, new TicketChange(7, "closed"));
				this.notifier.notify("Ticket", 14, action, new TicketChange(42, "closed"));
				this.notifier.notify("Ticket", 15, action, Map.of("status", "open"));

				assertThat(customer42.nextIds(2)).as(action).containsExactly("11", "14");
				assertThat(openOf7.nextIds(1)).as(action).containsExactly("12");
				assertThat(everything.nextIds(5)).as(action).containsExactly("11", "12", "13", "14", "15");
				assertThat(customer42.nextMessage(QUIET)).as(action).isNull();
				assertThat(openOf7.nextMessage(QUIET)).as(action).isNull();
			}
		}
	}

	@Test
	void oneConnectionsTwoFiltersOnOneTypeAreTwoSubscriptions() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			alice.listenWhere("Ticket/*/changed", "{\"customer\":42}");
			alice.listenWhere("Ticket/*/changed", "{\"customer\":7}");
			awaitSubscribed();
			this.notifier.notify("Ticket", 21, "changed", new TicketChange(7, "open"));
			this.notifier.notify("Ticket", 22, "changed", new TicketChange(42, "open"));

			assertThat(alice.nextIds(2)).containsExactly("21", "22");
			assertThat(alice.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void aFilterNeverWidensAccessEachObjectIsStillChecked() throws Exception {
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.listenWhere("Ticket/*/changed", "{\"customer\":42}");
			bob.listenWhere("Ticket/*/reviewed", "{\"customer\":42}");
			awaitSubscribed();
			this.notifier.notify("Ticket", SECRET_TICKET, "changed", new TicketChange(42, "open"));
			this.notifier.notify("Ticket", SECRET_TICKET, "reviewed", new TicketChange(42, "open"));
			this.notifier.notify("Ticket", 31, "changed", new TicketChange(42, "open"));

			assertThat(bob.nextIds(1)).containsExactly("31");
			assertThat(bob.nextMessage(QUIET)).isNull();
		}
	}

	@Test
	void anUndeclaredFieldIsRefusedAtAuthAndAtSubscribe(CapturedOutput output) throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			HttpResponse<String> signing = alice.authorize(alice.connectionId(), "Ticket/*/changed?{\"owner\":\"x\"}");
			assertThat(signing.statusCode()).isEqualTo(400);
			assertThat(signing.body()).isEqualTo("{\"error\":\"Field 'owner' is not filterable on Ticket/*/changed\"}");

			alice.subscribeWhere("Ticket/*/changed", "{\"owner\":\"x\"}", alice.signature("Ticket/*/changed"));
			assertThat(alice.nextError(REFUSAL)).isEqualTo("Field 'owner' is not filterable on Ticket/*/changed");
			assertThat(alice.awaitClosed(REFUSAL)).isTrue();
		}
		assertNothingLoggedAtErrorOrAsAStackTrace(output);
	}

	@Test
	void aNonScalarOrOversizedValueOrAFilterOnOneObjectIsRefused(CapturedOutput output) throws Exception {
		String[][] refused = {
				{ "Ticket/*/changed", "{\"customer\":{\"$gt\":1}}",
						"Filter values must be strings, numbers or booleans" },
				{ "Ticket/*/changed", "{\"status\":\"" + "x".repeat(200) + "\"}",
						"Filter value longer than 128 characters" },
				{ "Ticket/5/changed", "{\"customer\":42}", "Filters are for listeners to a type" } };
		for (String[] channelWhereReason : refused) {
			try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
				alice.subscribeWhere(channelWhereReason[0], channelWhereReason[1], null);
				assertThat(alice.nextError(REFUSAL)).isEqualTo(channelWhereReason[2]);
				assertThat(alice.awaitClosed(REFUSAL)).isTrue();
			}
		}
		assertNothingLoggedAtErrorOrAsAStackTrace(output);
	}

	@Test
	void aSignatureIsForOneFilterOnly() throws Exception {
		String[][] signedThenSent = { { "Ticket/*/changed?{\"customer\":42}", "{\"customer\":7}" },
				{ "Ticket/*/changed", "{\"customer\":7}" }, { "Ticket/*/changed?{\"customer\":7}", null } };
		for (String[] pair : signedThenSent) {
			try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
				String signature = bob.signature(pair[0]);
				if (pair[1] != null) {
					bob.subscribeWhere("Ticket/*/changed", pair[1], signature);
				}
				else {
					bob.subscribe(bob.destination("Ticket/*/changed"), signature);
				}
				assertThat(bob.nextError(REFUSAL)).as(pair[0]).isEqualTo("Invalid subscription signature");
				assertThat(bob.awaitClosed(REFUSAL)).isTrue();
			}
		}
		// The same filter spelled otherwise is the same filter.
		try (ListenerClient bob = ListenerClient.as(this.port, BOB).connect()) {
			bob.subscribeWhere("Ticket/*/changed", "{\"status\":\"open\",\"customer\":42.0}",
					bob.signature("Ticket/*/changed?{\"customer\":42,\"status\":\"open\"}"));
			awaitSubscribed();
			this.notifier.notify("Ticket", 41, "changed", new TicketChange(42, "open"));
			assertThat(bob.nextIds(1)).containsExactly("41");
		}
	}

	@Test
	void anEventStreamOfEveryTicketIsFilteredAsASubscriptionIs(CapturedOutput output) throws Exception {
		String where = URLEncoder.encode("{\"customer\":42}", StandardCharsets.UTF_8);
		HttpResponse<Stream<String>> stream = eventStream(BOB,
				"/notify-listen/sse/Ticket/*?events=changed&where=" + where);
		assertThat(stream.statusCode()).isEqualTo(200);
		BlockingQueue<String> data = new LinkedBlockingQueue<>();
		Thread reader = new Thread(() -> {
			try {
				stream.body().filter((line) -> line.startsWith("data:")).forEach(data::add);
			}
			catch (RuntimeException ex) {
				// Closed by the test.
			}
		}, "sse-reader");
		reader.setDaemon(true);
		reader.start();
		try {
			awaitSubscribed();
			this.notifier.notify("Ticket", 51, "changed", new TicketChange(7, "open"));
			this.notifier.notify("Ticket", 52, "changed", new TicketChange(42, "open"));
			this.notifier.notify("Ticket", SECRET_TICKET, "changed", new TicketChange(42, "open"));
			String first = data.poll(5, TimeUnit.SECONDS);
			assertThat(first).as("the matching ticket").contains("\"id\":\"52\"");
			assertThat(data.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isNull();
		}
		finally {
			stream.body().close();
		}

		HttpResponse<Stream<String>> undeclared = eventStream(ALICE, "/notify-listen/sse/Ticket/*?events=changed&where="
				+ URLEncoder.encode("{\"owner\":\"x\"}", StandardCharsets.UTF_8));
		assertThat(undeclared.statusCode()).isEqualTo(400);
		assertThat(String.join("", undeclared.body().toList()))
			.isEqualTo("{\"error\":\"Field 'owner' is not filterable on Ticket/*/changed\"}");
		HttpResponse<Stream<String>> oneObject = eventStream(ALICE,
				"/notify-listen/sse/Ticket/5?events=changed&where=" + where);
		assertThat(oneObject.statusCode()).isEqualTo(400);
		assertThat(String.join("", oneObject.body().toList()))
			.isEqualTo("{\"error\":\"Filters are for listeners to a type\"}");
		assertNothingLoggedAtErrorOrAsAStackTrace(output);
	}

	private HttpResponse<Stream<String>> eventStream(String user, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Accept", "text/event-stream")
			.header("Authorization",
					"Basic " + Base64.getEncoder()
						.encodeToString((user + ":password").getBytes(StandardCharsets.UTF_8)))
			.build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
	}

	// Anyone can send these: an operator's log must not fill with ERROR lines or stack
	// traces.
	private static void assertNothingLoggedAtErrorOrAsAStackTrace(CapturedOutput output) {
		assertThat(output.getAll()).doesNotContain(" ERROR ").doesNotContain("\tat ");
	}

	private static void awaitSubscribed() throws InterruptedException {
		Thread.sleep(200);
	}

	record TicketChange(long customer, String status) {

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Tickets {

		@Bean
		EntityAccessRules ticketRules() {
			return EntityAccessRules.builder()
				.entity("Ticket",
						(user, id) -> !(user.getName().equals(BOB) && id.equals(String.valueOf(SECRET_TICKET))),
						(actions) -> actions.action("changed", TicketChange.class, "customer", "status")
							.action("reviewed", TicketChange.class, "customer", "status"))
				.build();
		}

		@Bean
		TicketReviews ticketReviews() {
			return new TicketReviews();
		}

	}

	static class TicketReviews {

		@NotifyListen(entity = "Ticket", action = "reviewed")
		Map<String, Object> reviewed(@EntityId String id, Principal principal) {
			return Map.of("reviewer", principal.getName());
		}

	}

}
