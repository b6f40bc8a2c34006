package io.notifylisten.internal.log;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.codec.WrapperMessageBuilder;
import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.NotifyMessage;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentMatchers;
import org.mockito.verification.VerificationMode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.simp.SimpMessageSendingOperations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * The connecting and reading half of the stream log: which records read reach this node's
 * connections, which only its history, which none, and when the history has caught up.
 * Reading is driven here as the consumer drives it, without a broker.
 */
class StreamConnectionTests {

	private static final String KEY = "shop";

	private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

	private static final String DESTINATION = "/topic/" + KEY + ".Order.42.shipped";

	private final StreamSettings settings = new StreamSettings("127.0.0.1", 1, "guest", "guest", "/",
			"notify-listen." + KEY, Duration.ofMinutes(10), 10_000_000, Duration.ofSeconds(2), true,
			Duration.ofSeconds(5), 100, Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofSeconds(30));

	private final StreamRecordSignature signature = new StreamRecordSignature(
			new SubscriptionSigner(KEY, "0123456789abcdef0123456789abcdef"), this.settings.stream());

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	private final SimpMessageSendingOperations template = mock(SimpMessageSendingOperations.class);

	private final ChannelHistory history = spy(
			new ChannelHistory("notify-listen." + KEY, 100, Duration.ofMinutes(5), 100, this.clock));

	private final StreamConnection connection = new StreamConnection(this.settings,
			new LocalDelivery(() -> this.template, new ChannelDestinations(KEY), this.history), JsonMapper.shared(),
			this.signature, new StreamOutbox(100, Duration.ofMinutes(10), 8, this.clock), this.clock);

	StreamConnectionTests() {
		this.connection.start();
	}

	@Test
	void aSignedRecordIsDeliveredToThisNodesConnections() {
		this.connection.read(0, NOW, signed(record("a", 1)));

		verify(this.template).convertAndSend(eq(DESTINATION), any(Object.class),
				ArgumentMatchers.<Map<String, Object>>any());
	}

	@Test
	void aRecordNotSignedByThisApplicationIsCountedAndNotDelivered() {
		byte[] body = JsonMapper.shared().writeValueAsBytes(record("a", 1));
		this.connection.read(0, NOW, new WrapperMessageBuilder().addData(body).build());

		assertThat(this.connection.rejectedRecords()).containsEntry("unsigned", 1L);
		verifySent(never());
	}

	@Test
	void aRecordAtAnOffsetReadAlreadyIsSkippedAfterARecovery() {
		this.connection.read(5, NOW, signed(record("a", 1)));
		this.connection.read(5, NOW, signed(record("b", 2)));
		this.connection.read(4, NOW, signed(record("c", 3)));

		verifySent(times(1));
	}

	@Test
	void aSecondCopyOfANotificationIsDeliveredOnce() {
		this.connection.read(0, NOW, signed(record("a", 1)));
		this.connection.read(1, NOW, signed(record("a", 1)));

		verifySent(times(1));
	}

	@Test
	void aRecordAppendedWellBeforeTheNodeStartedIsRememberedNotDelivered() {
		Instant before = NOW.minus(StreamConnection.LIVE_ALLOWANCE).minusMillis(1);
		this.connection.read(0, before, signed(record("a", 1)));
		verifySent(never());
		verify(this.history).append(eq(new ChannelName("Order", "42", "shipped")), any(), any(), eq(before), any());

		this.connection.read(1, NOW.minus(StreamConnection.LIVE_ALLOWANCE), signed(record("b", 2)));
		verifySent(times(1));
	}

	@Test
	void anUnreadableRecordIsSkippedAndReadingGoesOn() {
		this.connection.read(0, NOW,
				this.signature.sign(new WrapperMessageBuilder(), "not json".getBytes(StandardCharsets.UTF_8)));
		this.connection.read(1, NOW, signed(record("a", 1)));

		verifySent(times(1));
	}

	@Test
	void readingBackItsOwnStartMarkerTellsTheHistoryItCaughtUp() {
		RecordingProducer producer = new RecordingProducer();
		this.connection.markStart(producer);
		this.connection.markStart(producer);
		assertThat(producer.sent).as("one marker per start").hasSize(1);

		this.connection.read(0, NOW, signed(StreamRecord.marker("start:another-node")));
		verify(this.history, never()).caughtUp();

		this.connection.read(1, NOW, producer.sent.get(0));
		verify(this.history).caughtUp();
		verifySent(never());
	}

	@Test
	void aPositionGivenToAPageCoversEveryRecordReadNotOnlyChannelMessages() {
		this.connection.read(3, NOW, signed(record("a", 1)));
		this.connection.read(4, NOW, signed(StreamRecord.marker("start:another-node")));

		assertThat(this.history.position()).isEqualTo(new ListenPosition("notify-listen." + KEY, 4));
	}

	@Test
	void aStartMarkerTheBrokerDidNotStoreEndsTheWaitAtOnce() {
		RecordingProducer refusing = new RecordingProducer();
		refusing.confirms = (message) -> false;
		this.connection.markStart(refusing);

		verify(this.history).caughtUp();
	}

	@Test
	void aBrokerThatCannotBeReachedLeavesTheNodeUnconnectedWithTheReason() {
		RuntimeException failure = this.connection.connect(true);

		assertThat(failure).isNotNull();
		assertThat(this.connection.isConnected()).isFalse();
		assertThat(this.connection.producer()).isNull();
	}

	private void verifySent(VerificationMode mode) {
		verify(this.template, mode).convertAndSend(anyString(), any(Object.class),
				ArgumentMatchers.<Map<String, Object>>any());
	}

	private static StreamRecord record(String id, int n) {
		return new StreamRecord(id, DESTINATION, Map.of(),
				new NotifyMessage("Order", "42", "shipped", NOW, NotifyMessage.SYSTEM, Map.of("n", n)));
	}

	private Message signed(StreamRecord record) {
		return this.signature.sign(new WrapperMessageBuilder(), JsonMapper.shared().writeValueAsBytes(record));
	}

}
