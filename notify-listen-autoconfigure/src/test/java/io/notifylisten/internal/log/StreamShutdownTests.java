package io.notifylisten.internal.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.rabbitmq.stream.Address;
import com.rabbitmq.stream.Environment;
import com.rabbitmq.stream.OffsetSpecification;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotifyMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stop path of a node's log: what its outbox holds when the node stops is published
 * if the broker takes it within the shutdown phase, and dropped, at once and said so,
 * only if it cannot.
 */
@ExtendWith(OutputCaptureExtension.class)
class StreamShutdownTests {

	private static final String KEY = "shutdown-test";

	private static final String SECRET = "0123456789abcdef0123456789abcdef";

	@Test
	void aNodeStoppedBeforeItConnectedPublishesWhatItsOutboxHolds() throws Exception {
		RabbitStreamBroker broker = RabbitStreamBroker.get();
		String run = String.valueOf(System.nanoTime());
		// Started, but the embedded broker never said it is available: this node has not
		// connected, as in the first second of a node's life.
		RabbitStreamNotificationLog log = log(broker.host(), broker.port());
		log.start();
		IntStream.rangeClosed(1, 5).forEach((n) -> log.append(notification(run, n)));
		assertThat(log.waiting()).isEqualTo(5);

		log.stop();

		assertThat(log.waiting()).isZero();
		assertThat(readBack(broker, run)).containsExactly(1, 2, 3, 4, 5);
	}

	@Test
	void aNodeStoppedWhileNothingAnswersDropsWhatItHoldsAtOnceAndSaysHowMany(CapturedOutput output) {
		RabbitStreamNotificationLog log = log("127.0.0.1", 1);
		log.start();
		IntStream.rangeClosed(1, 3).forEach((n) -> log.append(notification("refused", n)));
		long stopping = System.nanoTime();

		log.stop();

		assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("not the whole 30 s phase")
			.isLessThan(Duration.ofSeconds(10));
		assertThat(output.getAll()).contains("3 notifications waiting for the stream 'notify-listen.shutdown-test' on "
				+ "127.0.0.1:1 (virtual host /) are dropped at shutdown: the broker is unreachable");
	}

	private static RabbitStreamNotificationLog log(String host, int port) {
		StreamSettings settings = new StreamSettings(host, port, "guest", "guest", "/", "notify-listen." + KEY,
				Duration.ofMinutes(10), 10_000_000, Duration.ofSeconds(2), true, Duration.ofSeconds(5), 100,
				Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofSeconds(30));
		LocalDelivery delivery = new LocalDelivery(() -> {
			throw new IllegalStateException("nothing is read on a node that never connected");
		}, new ChannelDestinations(KEY), null);
		return new RabbitStreamNotificationLog(settings, delivery, JsonMapper.shared(),
				new SubscriptionSigner(KEY, SECRET), Clock.systemUTC());
	}

	private static LoggedNotification notification(String run, int n) {
		return new LoggedNotification("/topic/" + KEY + ".Order." + run + ".shipped", Map.of(),
				new NotifyMessage("Order", run, "shipped", Instant.now(), NotifyMessage.SYSTEM, Map.of("n", n)));
	}

	// What the stream holds of this run, as another node would read it.
	private static List<Integer> readBack(RabbitStreamBroker broker, String run) {
		List<Integer> read = new CopyOnWriteArrayList<>();
		Address address = new Address(broker.host(), broker.port());
		try (Environment environment = Environment.builder()
			.host(address.host())
			.port(address.port())
			.addressResolver((ignored) -> address)
			.build()) {
			environment.consumerBuilder()
				.stream("notify-listen." + KEY)
				.offset(OffsetSpecification.timestamp(System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(1)))
				.messageHandler((context, message) -> {
					StreamRecord record = JsonMapper.shared().readValue(message.getBodyAsBinary(), StreamRecord.class);
					if (!record.isMarker() && run.equals(record.message().id())) {
						read.add(((Number) record.message().payload().get("n")).intValue());
					}
				})
				.build();
			await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(500)).until(() -> read.size() >= 5);
		}
		return read;
	}

}
