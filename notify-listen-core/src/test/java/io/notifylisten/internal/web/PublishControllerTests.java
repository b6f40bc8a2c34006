package io.notifylisten.internal.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.Notifier;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay rules of the publish endpoint, on a clock moved by hand: a signature is good
 * once for as long as its timestamp is accepted, wherever in the window it was stamped.
 */
class PublishControllerTests {

	private static final Duration WINDOW = Duration.ofSeconds(20);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final List<String> sent = new ArrayList<>();

	private final Notifier notifier = new Notifier() {

		@Override
		public void notify(String entity, Object id, String action, Map<String, ?> payload) {
			PublishControllerTests.this.sent.add(entity + "/" + id + "/" + action);
		}

		@Override
		public void notifyUser(String username, String entity, Object id, String action, Map<String, ?> payload) {
			throw new UnsupportedOperationException();
		}

	};

	private final PublishController controller = new PublishController(this.notifier,
			new SubscriptionSigner("publish", SignedPublishRequests.SECRET), JsonMapper.shared(), WINDOW, 64 * 1024,
			this.clock, 2);

	@Test
	void aRequestStampedAheadCannotBeReplayedOnceTheClockPassesItsArrival() throws Exception {
		Signed ahead = signed("{\"entity\":\"Order\",\"id\":\"1\",\"action\":\"shipped\"}", 18);

		assertThat(publish(ahead).getStatusCode().value()).isEqualTo(200);
		assertThat(publish(ahead).getBody()).isEqualTo(Map.of("error", "Replayed request"));
		this.clock.advance(Duration.ofSeconds(22));
		assertThat(publish(ahead).getBody()).as("22 s later, 4 s after its timestamp")
			.isEqualTo(Map.of("error", "Replayed request"));
		this.clock.advance(Duration.ofSeconds(16));
		assertThat(publish(ahead).getBody()).as("its last accepted second")
			.isEqualTo(Map.of("error", "Replayed request"));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(publish(ahead).getBody()).isEqualTo(Map.of("error", "Timestamp outside the replay window"));
		assertThat(this.sent).containsExactly("Order/1/shipped");
	}

	@Test
	void aRequestStampedBehindIsForgottenOnlyWhenItsTimestampIs() throws Exception {
		Signed behind = signed("{\"entity\":\"Order\",\"id\":\"2\",\"action\":\"shipped\"}", -19);

		assertThat(publish(behind).getStatusCode().value()).isEqualTo(200);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(publish(behind).getBody()).isEqualTo(Map.of("error", "Replayed request"));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(publish(behind).getBody()).isEqualTo(Map.of("error", "Timestamp outside the replay window"));
		assertThat(this.sent).hasSize(1);
	}

	// Only signed requests are remembered; past the bound they are refused, none
	// forgotten early.
	@Test
	void signedRequestsBeyondTheBoundAreRefusedUntilTheOldestIsForgotten() throws Exception {
		Signed first = signed("{\"entity\":\"Order\",\"id\":\"3\",\"action\":\"shipped\"}", 0);
		Signed second = signed("{\"entity\":\"Order\",\"id\":\"4\",\"action\":\"shipped\"}", 5);
		Signed third = signed("{\"entity\":\"Order\",\"id\":\"5\",\"action\":\"shipped\"}", 0);
		assertThat(publish(first).getStatusCode().value()).isEqualTo(200);
		assertThat(publish(second).getStatusCode().value()).isEqualTo(200);
		assertThat(publish(signed("{}", 0).withSignature("0".repeat(64))).getStatusCode().value())
			.as("a bad signature takes no room")
			.isEqualTo(401);

		ResponseEntity<?> full = publish(third);

		assertThat(full.getStatusCode().value()).isEqualTo(429);
		assertThat(full.getHeaders().getFirst("Retry-After")).isEqualTo("21");
		assertThat(publish(first).getBody()).isEqualTo(Map.of("error", "Replayed request"));
		this.clock.advance(Duration.ofSeconds(21));
		assertThat(publish(signed("{\"entity\":\"Order\",\"id\":\"5\",\"action\":\"shipped\"}", 0)).getStatusCode()
			.value()).isEqualTo(200);
		assertThat(this.sent).containsExactly("Order/3/shipped", "Order/4/shipped", "Order/5/shipped");
	}

	private Signed signed(String body, long secondsFromNow) throws Exception {
		String timestamp = String.valueOf(this.clock.instant().getEpochSecond() + secondsFromNow);
		return new Signed(body, timestamp, SignedPublishRequests.sign(body, timestamp));
	}

	private ResponseEntity<?> publish(Signed request) {
		MockHttpServletRequest http = new MockHttpServletRequest("POST", PublishController.PATH);
		http.setContent(request.body().getBytes(StandardCharsets.UTF_8));
		return this.controller.publish(request.timestamp(), request.signature(), http);
	}

	private record Signed(String body, String timestamp, String signature) {

		Signed withSignature(String other) {
			return new Signed(this.body, this.timestamp, other);
		}

	}

}
