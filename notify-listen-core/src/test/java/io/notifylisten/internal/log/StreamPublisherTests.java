package io.notifylisten.internal.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotifyMessage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The publishing half of the stream log, without a broker: what the outbox holds and
 * refuses, and what a producer is sent, in which order, and sent again.
 */
class StreamPublisherTests {

	private static final String KEY = "shop";

	private final StreamSettings settings = new StreamSettings("127.0.0.1", 1, "guest", "guest", "/",
			"notify-listen." + KEY, Duration.ofMinutes(10), 10_000_000, Duration.ofSeconds(2), true,
			Duration.ofSeconds(5), 3, Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofSeconds(30));

	private final StreamRecordSignature signature = new StreamRecordSignature(
			new SubscriptionSigner(KEY, "0123456789abcdef0123456789abcdef"), this.settings.stream());

	private final StreamOutbox outbox = new StreamOutbox(3, Duration.ofMinutes(10), 8, Clock.systemUTC());

	private final LocalDelivery delivery = new LocalDelivery(() -> {
		throw new IllegalStateException("the publishing half delivers nothing");
	}, new ChannelDestinations(KEY), null);

	private final StreamConnection connection = new StreamConnection(this.settings, this.delivery, JsonMapper.shared(),
			this.signature, this.outbox, Clock.systemUTC());

	private final StreamPublisher publisher = new StreamPublisher(this.settings, this.outbox, this.connection,
			this.delivery, JsonMapper.shared(), this.signature);

	private final RecordingProducer producer = new RecordingProducer();

	@Test
	void whileNotConnectedANotificationIsHeldAndTheCallerGoesOn() {
		this.publisher.append(notification(1));
		this.publisher.append(notification(2));

		assertThat(this.publisher.waiting()).isEqualTo(2);
		assertThat(this.publisher.isRefusing()).isFalse();
	}

	@Test
	void aFullOutboxRefusesTheNextNotification() {
		for (int n = 1; n <= 3; n++) {
			this.publisher.append(notification(n));
		}

		assertThat(this.publisher.isRefusing()).isTrue();
		assertThatExceptionOfType(NotificationFailedException.class)
			.isThrownBy(() -> this.publisher.append(notification(4)));
		assertThat(this.publisher.waiting()).isEqualTo(3);
	}

	@Test
	void aBatchGoesOutSignedInTheOrderAcceptedAndLeavesOnceConfirmed() throws Exception {
		CompletableFuture<Void> first = this.publisher.append("a", notification(1));
		CompletableFuture<Void> second = this.publisher.append("b", notification(2));

		assertThat(this.publisher.publish(this.producer, head(), Duration.ofSeconds(1))).isTrue();

		assertThat(sent()).extracting(StreamRecord::id).containsExactly("a", "b");
		assertThat(sent()).extracting((record) -> record.message().payload().get("n")).containsExactly(1, 2);
		assertThat(this.producer.sent).allSatisfy((message) -> assertThat(this.signature.check(message)).isNull());
		assertThat(first).isCompleted();
		assertThat(second).isCompleted();
		assertThat(this.publisher.waiting()).isZero();
	}

	@Test
	void aFailedNotificationIsSentAgainBeforeThoseAfterItWhichWaitForTheNextBatch() throws Exception {
		CompletableFuture<Void> first = this.publisher.append("a", notification(1));
		CompletableFuture<Void> second = this.publisher.append("b", notification(2));
		CompletableFuture<Void> third = this.publisher.append("c", notification(3));
		refuseOnce("b");

		assertThat(this.publisher.publish(this.producer, head(), Duration.ofSeconds(1))).as("the head got out")
			.isTrue();
		assertThat(sent()).as("c is not sent after b failed: it could reach the stream first")
			.extracting(StreamRecord::id)
			.containsExactly("a", "b");
		assertThat(first).isCompleted();
		assertThat(second).isNotDone();
		assertThat(third).isNotDone();

		this.producer.sent.clear();
		assertThat(this.publisher.publish(this.producer, head(), Duration.ofSeconds(1))).isTrue();
		assertThat(sent()).extracting(StreamRecord::id).containsExactly("b", "c");
		assertThat(this.publisher.waiting()).isZero();
	}

	@Test
	void confirmedNotificationsBehindAnUnansweredOneAreNotSentAgain() throws Exception {
		this.publisher.append("a", notification(1));
		this.publisher.append("b", notification(2));
		List<StreamOutbox.Pending> head = head();
		head.get(1).confirmed();

		assertThat(this.publisher.publish(this.producer, head, Duration.ofSeconds(1))).isTrue();
		assertThat(sent()).extracting(StreamRecord::id).containsExactly("a");
		assertThat(this.publisher.waiting()).isZero();
	}

	@Test
	void aBatchTheBrokerDoesNotAnswerInTimeStaysWhole() throws Exception {
		this.publisher.append("a", notification(1));
		this.producer.answering = false;

		assertThat(this.publisher.publish(this.producer, head(), Duration.ofMillis(50))).isFalse();
		assertThat(this.publisher.waiting()).isEqualTo(1);
	}

	@Test
	void withoutAnOpenProducerNothingIsSent() throws Exception {
		this.publisher.append("a", notification(1));

		assertThat(this.publisher.publish(this.connection.producer(), head(), Duration.ofSeconds(1))).isFalse();
		assertThat(this.publisher.waiting()).isEqualTo(1);
	}

	@Test
	void aBulkAppendIsHeldInTheOrderGivenAndGoesOutInThatOrder() throws Exception {
		this.publisher.appendAll(List.of(notification(1), notification(2), notification(3)));

		assertThat(this.publisher.waiting()).isEqualTo(3);
		assertThat(this.publisher.publish(this.producer, head(), Duration.ofSeconds(1))).isTrue();
		assertThat(sent()).extracting((record) -> record.message().payload().get("n")).containsExactly(1, 2, 3);
		assertThat(this.publisher.waiting()).isZero();
	}

	@Test
	void aBulkAppendTheOutboxRefusesPartWaySaysHowManyWereAccepted() throws Exception {
		this.publisher.append(notification(1));

		assertThatExceptionOfType(NotificationFailedException.class)
			.isThrownBy(() -> this.publisher.appendAll(List.of(notification(2), notification(3), notification(4))))
			.withMessageContaining("3 notifications already wait for RabbitMQ")
			.withMessageContaining("the 2 notifications before it in this call were accepted");
		this.publisher.publish(this.producer, head(), Duration.ofSeconds(1));
		assertThat(sent()).extracting((record) -> record.message().payload().get("n")).containsExactly(1, 2, 3);
	}

	@Test
	void aBulkAppendRefusedAtItsFirstNotificationSaysOnlyWhy() {
		for (int n = 1; n <= 3; n++) {
			this.publisher.append(notification(n));
		}

		assertThatExceptionOfType(NotificationFailedException.class)
			.isThrownBy(() -> this.publisher.appendAll(List.of(notification(4))))
			.withMessageNotContaining("accepted");
	}

	@Test
	void aBulkAppendThatPartlyFailsIsSentAgainFromItsFirstUnconfirmedNotificationInOrder() throws Exception {
		this.publisher.appendAll(List.of(notification(1), notification(2), notification(3)));
		Set<Integer> refused = new CopyOnWriteArraySet<>(Set.of(2));
		this.producer.confirms = (message) -> !refused.remove(JsonMapper.shared()
			.readValue(message.getBodyAsBinary(), StreamRecord.class)
			.message()
			.payload()
			.get("n"));

		this.publisher.publish(this.producer, head(), Duration.ofSeconds(1));
		this.producer.sent.clear();
		this.publisher.publish(this.producer, head(), Duration.ofSeconds(1));

		assertThat(sent()).as("from the one that failed, in order")
			.extracting((record) -> record.message().payload().get("n"))
			.containsExactly(2, 3);
		assertThat(this.publisher.waiting()).isZero();
	}

	private List<StreamOutbox.Pending> head() throws InterruptedException {
		return this.outbox.head(256, Duration.ZERO);
	}

	private static LoggedNotification notification(int n) {
		return new LoggedNotification("/topic/" + KEY + ".Order.42.shipped", Map.of(),
				new NotifyMessage("Order", "42", "shipped", Instant.now(), NotifyMessage.SYSTEM, Map.of("n", n)));
	}

	private List<StreamRecord> sent() {
		return this.producer.sent.stream()
			.map((message) -> JsonMapper.shared().readValue(message.getBodyAsBinary(), StreamRecord.class))
			.toList();
	}

	private void refuseOnce(String id) {
		Set<String> refused = new CopyOnWriteArraySet<>(Set.of(id));
		this.producer.confirms = (message) -> !refused
			.remove(JsonMapper.shared().readValue(message.getBodyAsBinary(), StreamRecord.class).id());
	}

}
