package io.notifylisten.internal.log;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.simp.broker.BrokerAvailabilityEvent;

/**
 * The notification log of several nodes: one RabbitMQ stream that every node appends to
 * and reads from start to end, delivering each notification to its own connections. A
 * node holds one producer and one consumer on the broker, whatever the number of pages.
 *
 * <p>
 * It is made of two halves: {@link StreamPublisher}, which holds what is appended in a
 * bounded outbox and publishes it in order, and {@link StreamConnection}, which connects
 * to the broker and hands what it reads to this node's connections. The stream's offset
 * is the notification's sequence on every node.
 */
public class RabbitStreamNotificationLog
		implements NotificationLog, BrokerConnection, SmartLifecycle, ApplicationListener<BrokerAvailabilityEvent> {

	/**
	 * Most presence records held while the broker is away. A node writes one change
	 * record per presence publish interval at most and a snapshot, which replaces them,
	 * every third of the node timeout: with the defaults, 200 at most between two
	 * snapshots.
	 */
	private static final int MAX_PRESENCE_RECORDS = 512;

	private final StreamSettings settings;

	private final StreamConnection connection;

	private final StreamPublisher publisher;

	private volatile boolean running;

	/**
	 * Create the log.
	 * @param settings where the stream is and its bounds
	 * @param delivery hands what is read to this node's connections
	 * @param jsonMapper writes and reads the stream's records
	 * @param signer signs the records this node writes and checks those it reads, with
	 * the secret
	 * @param clock ages held notifications
	 */
	public RabbitStreamNotificationLog(StreamSettings settings, LocalDelivery delivery, JsonMapper jsonMapper,
			SubscriptionSigner signer, Clock clock) {
		this(settings, delivery, jsonMapper, new StreamRecordSignature(signer, settings.stream()),
				new StreamOutbox(settings.outboxMaxSize(), settings.outboxMaxAge(), MAX_PRESENCE_RECORDS, clock),
				clock);
	}

	private RabbitStreamNotificationLog(StreamSettings settings, LocalDelivery delivery, JsonMapper jsonMapper,
			StreamRecordSignature signature, StreamOutbox outbox, Clock clock) {
		this(settings, new StreamConnection(settings, delivery, jsonMapper, signature, outbox, clock), outbox, delivery,
				jsonMapper, signature);
	}

	private RabbitStreamNotificationLog(StreamSettings settings, StreamConnection connection, StreamOutbox outbox,
			LocalDelivery delivery, JsonMapper jsonMapper, StreamRecordSignature signature) {
		this(settings, connection, new StreamPublisher(settings, outbox, connection, delivery, jsonMapper, signature));
		delivery.startCatchingUp();
	}

	/**
	 * Create the log from its two halves.
	 * @param settings where the stream is and its bounds
	 * @param connection connects to the broker and reads the stream
	 * @param publisher holds and publishes what is appended
	 */
	RabbitStreamNotificationLog(StreamSettings settings, StreamConnection connection, StreamPublisher publisher) {
		this.settings = settings;
		this.connection = connection;
		this.publisher = publisher;
	}

	@Override
	public void append(LoggedNotification notification) {
		this.publisher.append(notification);
	}

	@Override
	public void appendAll(List<LoggedNotification> notifications) {
		this.publisher.appendAll(notifications);
	}

	@Override
	public CompletableFuture<Void> append(String id, LoggedNotification notification) {
		return this.publisher.append(id, notification);
	}

	@Override
	public boolean isConnected() {
		return this.connection.isConnected();
	}

	@Override
	public int waiting() {
		return this.publisher.waiting();
	}

	@Override
	public boolean isRefusing() {
		return this.publisher.isRefusing();
	}

	@Override
	public String describe() {
		return this.settings.describe();
	}

	@Override
	public Map<String, Long> rejectedRecords() {
		return this.connection.rejectedRecords();
	}

	@Override
	public void onApplicationEvent(BrokerAvailabilityEvent event) {
		// Reading starts once the embedded broker takes messages: before, a delivery
		// would be lost.
		if (event.isBrokerAvailable()) {
			this.connection.brokerStarted();
		}
	}

	@Override
	public void start() {
		this.connection.start();
		this.running = true;
		this.publisher.start();
	}

	// What the outbox holds was promised to notify's callers: it is published for as long
	// as Spring gives this shutdown phase, before the connection closes.
	@Override
	public void stop() {
		this.connection.stopping();
		this.publisher.publishHeld();
		this.running = false;
		this.connection.stop();
		this.publisher.stop();
		this.connection.disconnect();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	// Started before the web server and stopped after it (Spring Boot's web server
	// lifecycles run at DEFAULT_PHASE - 2048 and - 1024): requests still served during a
	// graceful shutdown can notify, and what they notify is published before the
	// connection closes. Reading waits for the embedded broker anyway
	// (onApplicationEvent).
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

}
