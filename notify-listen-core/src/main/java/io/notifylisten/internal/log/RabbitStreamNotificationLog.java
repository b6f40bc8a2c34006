package io.notifylisten.internal.log;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.stream.Address;
import com.rabbitmq.stream.BackOffDelayPolicy;
import com.rabbitmq.stream.ByteCapacity;
import com.rabbitmq.stream.ConfirmationStatus;
import com.rabbitmq.stream.Environment;
import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.MessageHandler;
import com.rabbitmq.stream.OffsetSpecification;
import com.rabbitmq.stream.Producer;
import com.rabbitmq.stream.Resource;
import com.rabbitmq.stream.StreamException;
import io.notifylisten.internal.log.StreamOutbox.Pending;
import io.notifylisten.internal.presence.PresenceRecords;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
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
 * {@link #append} returns once the broker confirmed the notification, or once it is held
 * in a bounded outbox because the broker did not answer within the confirm timeout; the
 * outbox publishes in order when the broker is back. The stream's offset is the
 * notification's sequence on every node. A node that starts reads the last
 * {@code history.ttl} of the stream into its history, so pages that reconnect to it
 * recover what they missed.
 */
public class RabbitStreamNotificationLog
		implements NotificationLog, BrokerConnection, SmartLifecycle, ApplicationListener<BrokerAvailabilityEvent> {

	private static final Log logger = LogFactory.getLog(RabbitStreamNotificationLog.class);

	/** Most notifications published before waiting for their confirmations. */
	private static final int BATCH_SIZE = 256;

	/**
	 * Most presence records held while the broker is away. A node writes one change
	 * record per presence publish interval at most and a snapshot, which replaces them,
	 * every third of the node timeout: with the defaults, 200 at most between two
	 * snapshots.
	 */
	private static final int MAX_PRESENCE_RECORDS = 512;

	/**
	 * Notifications appended this long before the node started are only remembered, not
	 * delivered: no page of this node waited for them live. The allowance covers clocks
	 * that differ between this node and the broker; a page that connected meanwhile drops
	 * a message it already has.
	 */
	private static final Duration LIVE_ALLOWANCE = Duration.ofSeconds(10);

	/** As often as the WARN that sums up refused client input. */
	private static final Duration REJECTED_SUMMARY_INTERVAL = Duration.ofMinutes(5);

	private final StreamSettings settings;

	private final LocalDelivery delivery;

	private final JsonMapper jsonMapper;

	private final Clock clock;

	private final StreamOutbox outbox;

	private final StreamRecordSignature signature;

	private final RejectedRecords rejected;

	private final RecentIds deliveredIds = new RecentIds(65_536);

	private final CountDownLatch brokerStarted = new CountDownLatch(1);

	private final AtomicBoolean producerOpen = new AtomicBoolean();

	private final AtomicBoolean consumerOpen = new AtomicBoolean();

	private final Object availability = new Object();

	// Guarded by availability.
	private boolean reported = true;

	private @Nullable Instant lostAt;

	private volatile boolean running;

	// Set first when the node stops: the publishing thread then publishes what is held
	// and ends.
	private volatile boolean stopping;

	private volatile long stopDeadline;

	private final Object wakeUp = new Object();

	// Set when the client closed the producer or consumer for good (the stream was
	// deleted): the publishing thread then connects anew, which creates the stream again.
	private volatile boolean reconnect;

	private volatile @Nullable Thread publisher;

	private volatile @Nullable Environment environment;

	private volatile @Nullable Producer producer;

	private Instant startedAt = Instant.EPOCH;

	private volatile @Nullable String startMarker;

	// Only the consumer's dispatching thread touches it.
	private long lastOffset = -1;

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
		this.settings = settings;
		this.signature = new StreamRecordSignature(signer, settings.stream());
		this.rejected = new RejectedRecords(settings.describe(), REJECTED_SUMMARY_INTERVAL, clock);
		this.delivery = delivery;
		this.jsonMapper = jsonMapper;
		this.clock = clock;
		this.outbox = new StreamOutbox(settings.outboxMaxSize(), settings.outboxMaxAge(), MAX_PRESENCE_RECORDS, clock);
		delivery.startCatchingUp();
	}

	@Override
	public void append(LoggedNotification notification) {
		Pending pending = this.delivery.carriesPresence(notification) ? this.outbox.addPresence(notification,
				PresenceRecords.node(notification.message()), PresenceRecords.replacesEarlier(notification.message()))
				: this.outbox.add(notification);
		if (!isConnected()) {
			return;
		}
		try {
			// Confirmed, or held in the outbox once the broker has not answered in time:
			// either way it will reach every node, so the caller goes on.
			pending.awaitConfirmation(this.settings.confirmTimeout());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// The caller keeps the notification until it is confirmed, so nothing waits here for
	// the broker.
	@Override
	public CompletableFuture<Void> append(String id, LoggedNotification notification) {
		return this.outbox.add(id, notification).confirmation().copy();
	}

	@Override
	public boolean isConnected() {
		return this.producerOpen.get() && this.consumerOpen.get();
	}

	@Override
	public int waiting() {
		return this.outbox.size();
	}

	@Override
	public boolean isRefusing() {
		return this.outbox.isFull();
	}

	@Override
	public String describe() {
		return this.settings.describe();
	}

	@Override
	public Map<String, Long> rejectedRecords() {
		return this.rejected.totals();
	}

	@Override
	public void onApplicationEvent(BrokerAvailabilityEvent event) {
		// Reading starts once the embedded broker takes messages: before, a delivery
		// would be lost.
		if (event.isBrokerAvailable()) {
			this.brokerStarted.countDown();
		}
	}

	@Override
	public void start() {
		this.startedAt = this.clock.instant();
		this.running = true;
		Thread thread = new Thread(this::publish, "notify-listen-stream");
		thread.setDaemon(true);
		this.publisher = thread;
		thread.start();
	}

	// What the outbox holds was promised to notify's callers: the publishing thread tries
	// the broker once more at once, without waiting out the recovery interval, and
	// publishes for as long as Spring gives this shutdown phase. Only a broker that
	// refuses the connection ends it early: nothing held could get out then.
	@Override
	public void stop() {
		int held = this.outbox.size();
		this.outbox.close();
		Duration budget = shutdownBudget();
		this.stopDeadline = System.nanoTime() + budget.toNanos();
		this.stopping = true;
		synchronized (this.wakeUp) {
			this.wakeUp.notifyAll();
		}
		Thread thread = this.publisher;
		try {
			if (thread != null) {
				thread.join(budget.toMillis() + 1);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		int left = this.outbox.size();
		if (left > 0 && !this.producerOpen.get()) {
			logger.warn(left + " notifications waiting for the " + this.settings.describe()
					+ " are dropped at shutdown: the broker is unreachable");
		}
		else if (left > 0) {
			logger.warn(left + " notifications could not be published to the " + this.settings.describe() + " within "
					+ budget.toMillis() + " ms of spring.lifecycle.timeout-per-shutdown-phase ("
					+ this.settings.shutdownTimeout() + ") and are dropped at shutdown");
		}
		else if (held > 0) {
			logger.info(held + " notifications that waited were published to the " + this.settings.describe()
					+ " before shutdown");
		}
		this.running = false;
		if (thread != null && thread.isAlive()) {
			thread.interrupt();
			try {
				thread.join(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		disconnect();
	}

	// Most of the phase, leaving a moment to close the connection before Spring moves on.
	private Duration shutdownBudget() {
		Duration phase = this.settings.shutdownTimeout();
		Duration margin = Duration.ofSeconds(1);
		return (phase.compareTo(margin.multipliedBy(2)) > 0) ? phase.minus(margin) : phase.dividedBy(2);
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

	private void publish() {
		try {
			while (!this.brokerStarted.await(1, TimeUnit.SECONDS)) {
				if (this.stopping) {
					break;
				}
			}
			while (!this.stopping) {
				if (this.reconnect) {
					this.reconnect = false;
					disconnect();
				}
				if (this.environment == null && connect(true) != null) {
					pause(this.settings.recoveryInterval());
					continue;
				}
				this.rejected.reportIfDue();
				List<Pending> batch = this.outbox.head(BATCH_SIZE, Duration.ofSeconds(1));
				if (!batch.isEmpty() && !publish(batch, this.settings.confirmTimeout().plusSeconds(5))) {
					// The producer is recovering: its own recovery brings it back.
					pause(Duration.ofMillis(Math.min(200, this.settings.recoveryInterval().toMillis())));
				}
			}
			publishBeforeShutdown();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// A producer of its own, without a consumer: the web server has stopped, no page of
	// this node waits for what it would read. The client's own recovery waits for the
	// recovery interval, so a producer that is not open is made anew at once.
	private void publishBeforeShutdown() throws InterruptedException {
		while (!this.outbox.isEmpty()) {
			long left = this.stopDeadline - System.nanoTime();
			if (left <= 0) {
				return;
			}
			boolean progressed;
			if (!this.producerOpen.get()) {
				disconnect();
				RuntimeException failure = connect(false);
				if (failure != null && refused(failure)) {
					return;
				}
				progressed = failure == null;
			}
			else {
				progressed = publish(this.outbox.head(BATCH_SIZE, Duration.ZERO), Duration.ofNanos(left));
			}
			if (!progressed) {
				// A stream not yet back after the broker's start, for example: soon
				// again, not at once.
				Thread.sleep(Math.min(250, TimeUnit.NANOSECONDS.toMillis(left)));
			}
		}
	}

	private static boolean refused(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException) {
				return true;
			}
		}
		return false;
	}

	// Sleeps, unless the node is stopping: then the outbox is published at once.
	private void pause(Duration duration) throws InterruptedException {
		synchronized (this.wakeUp) {
			if (!this.stopping) {
				this.wakeUp.wait(Math.max(1, duration.toMillis()));
			}
		}
	}

	// One batch at a time, and the next only once every confirmation of this one is in: a
	// batch goes out on one connection, so when one of its notifications is lost, those
	// sent after it on that connection are lost too, and publishing the unconfirmed ones
	// again keeps the order of acceptance. Confirmed ones are not sent again.
	private boolean publish(List<Pending> batch, Duration wait) throws InterruptedException {
		Producer current = this.producer;
		if (current == null || !this.producerOpen.get()) {
			return false;
		}
		CountDownLatch answered = new CountDownLatch(batch.size());
		AtomicBoolean failed = new AtomicBoolean();
		for (Pending pending : batch) {
			if (pending.isConfirmed()) {
				answered.countDown();
				continue;
			}
			Message message = this.signature.sign(current.messageBuilder(),
					this.jsonMapper.writeValueAsBytes(StreamRecord.of(pending)));
			current.send(message, (status) -> answer(pending, status, failed, answered));
		}
		// The producer answers each within its confirm timeout; the caller's margin
		// covers a lost answer.
		if (!answered.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
			failed.set(true);
		}
		int published = this.outbox.removeConfirmedHead();
		return !failed.get() || published > 0;
	}

	private void answer(Pending pending, ConfirmationStatus status, AtomicBoolean failed, CountDownLatch answered) {
		if (status.isConfirmed()) {
			pending.confirmed();
		}
		else {
			failed.set(true);
		}
		answered.countDown();
	}

	/**
	 * Connect to the broker.
	 * @param consume whether to read the stream too, or only to publish
	 * @return why it failed, or {@code null} once connected
	 */
	private @Nullable RuntimeException connect(boolean consume) {
		Environment built = null;
		try {
			Address address = new Address(this.settings.host(), this.settings.port());
			built = Environment.builder()
				.host(this.settings.host())
				.port(this.settings.port())
				.username(this.settings.username())
				.password(this.settings.password())
				.virtualHost(this.settings.virtualHost())
				// Every connection to the configured address, as behind a load balancer:
				// the broker's advertised host may be a name only it resolves.
				.addressResolver((ignored) -> address)
				.recoveryBackOffDelayPolicy(BackOffDelayPolicy.fixed(this.settings.recoveryInterval()))
				.topologyUpdateBackOffDelayPolicy(BackOffDelayPolicy
					.fixedWithInitialDelay(this.settings.recoveryInterval(), this.settings.recoveryInterval()))
				.build();
			createStream(built);
			this.producer = built.producerBuilder()
				.stream(this.settings.stream())
				.confirmTimeout(this.settings.confirmTimeout())
				// Unconfirmed notifications are published again by the outbox, in order.
				.retryOnRecovery(false)
				.listeners((context) -> stateChanged(this.producerOpen, context))
				.build();
			this.producerOpen.set(true);
			if (consume) {
				// Closed with the environment; nothing else needs to hold it.
				built.consumerBuilder()
					.stream(this.settings.stream())
					.offset(OffsetSpecification
						.timestamp(this.startedAt.minus(this.settings.historyTtl()).toEpochMilli()))
					.messageHandler(this::read)
					.listeners((context) -> stateChanged(this.consumerOpen, context))
					.build();
				this.consumerOpen.set(true);
			}
			this.environment = built;
			availabilityChanged();
			if (consume) {
				markStart();
			}
			return null;
		}
		catch (RuntimeException ex) {
			this.producerOpen.set(false);
			this.consumerOpen.set(false);
			this.producer = null;
			if (built != null) {
				closeQuietly(built);
			}
			unreachable(ex);
			return ex;
		}
	}

	// The history has caught up once the consumer reads the marker this node appends
	// after it started reading: the stream has no cheaper way, on every supported broker,
	// to tell its end.
	private void markStart() {
		Producer current = this.producer;
		if (current != null && this.startMarker == null) {
			String marker = "start:" + UUID.randomUUID();
			this.startMarker = marker;
			current.send(this.signature.sign(current.messageBuilder(),
					this.jsonMapper.writeValueAsBytes(StreamRecord.marker(marker))), (status) -> {
						if (!status.isConfirmed()) {
							// Not stored: recoveries stop waiting after their bound
							// instead.
							this.delivery.caughtUp();
						}
					});
		}
	}

	private void createStream(Environment environment) {
		try {
			environment.streamCreator()
				.stream(this.settings.stream())
				.maxAge(this.settings.maxAge())
				.maxLengthBytes(ByteCapacity.B(this.settings.maxSizeBytes()))
				.create();
		}
		catch (StreamException ex) {
			if (!environment.streamExists(this.settings.stream())) {
				throw ex;
			}
			logger.warn("The " + this.settings.describe() + " exists with other retention arguments than "
					+ "notify-listen.stream.max-age and max-size; it is used as it is");
		}
	}

	private void read(MessageHandler.Context context, Message message) {
		long offset = context.offset();
		// After a recovery the consumer starts again at the last offset it dispatched.
		if (offset <= this.lastOffset) {
			return;
		}
		this.lastOffset = offset;
		// Checked before anything is read from it: only a node of this application is
		// trusted.
		RejectedRecords.Reason rejection = this.signature.check(message);
		if (rejection != null) {
			this.rejected.rejected(rejection, offset);
			return;
		}
		StreamRecord record;
		try {
			record = this.jsonMapper.readValue(message.getBodyAsBinary(), StreamRecord.class);
		}
		catch (JacksonException ex) {
			logger.warn("Skipped unreadable record at offset " + offset + " of the " + this.settings.describe() + ": "
					+ ex.getOriginalMessage());
			return;
		}
		if (record.isMarker()) {
			if (record.id().equals(this.startMarker)) {
				this.delivery.caughtUp();
			}
			return;
		}
		if (!this.deliveredIds.add(record.id())) {
			return;
		}
		Instant appendedAt = Instant.ofEpochMilli(context.timestamp());
		try {
			if (appendedAt.isBefore(this.startedAt.minus(LIVE_ALLOWANCE))) {
				this.delivery.remember(record.notification(), offset, appendedAt);
			}
			else {
				this.delivery.deliver(record.notification(), () -> offset, appendedAt);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not deliver " + record.message().channel() + " (offset " + offset + ") on this node: "
					+ ex.getMessage());
		}
	}

	private void stateChanged(AtomicBoolean open, Resource.Context context) {
		open.set(context.currentState() == Resource.State.OPEN);
		if (context.currentState() == Resource.State.CLOSED && this.running && this.environment != null) {
			this.reconnect = true;
		}
		availabilityChanged();
	}

	// One WARN when the broker is lost, one INFO when it is back, whatever the number of
	// resources.
	private void availabilityChanged() {
		if (!this.running || this.stopping) {
			return;
		}
		synchronized (this.availability) {
			boolean connected = isConnected();
			if (!connected && this.reported && this.environment != null) {
				this.reported = false;
				this.lostAt = this.clock.instant();
				logger.warn("Lost the " + this.settings.describe() + "; pages stay connected and notifications "
						+ "are held (at most " + this.settings.outboxMaxSize()
						+ ") until it is back. Trying again every " + this.settings.recoveryInterval().toSeconds()
						+ " s");
			}
			else if (connected && !this.reported) {
				this.reported = true;
				logger.info("Connected to the " + this.settings.describe()
						+ ((this.lostAt != null) ? " again after "
								+ Duration.between(this.lostAt, this.clock.instant()).toSeconds() + " s" : "")
						+ "; " + this.outbox.size() + " notifications waited and are published now");
				this.lostAt = null;
			}
		}
	}

	private void unreachable(RuntimeException ex) {
		synchronized (this.availability) {
			// A stopping node says once, in stop(), what it could not publish.
			if (this.reported && !this.stopping) {
				this.reported = false;
				this.lostAt = this.clock.instant();
				logger.warn("Cannot reach the " + this.settings.describe() + ": " + ex.getMessage()
						+ ". Notifications are held (at most " + this.settings.outboxMaxSize()
						+ ") until it is reachable; trying again every " + this.settings.recoveryInterval().toSeconds()
						+ " s");
			}
		}
	}

	private void disconnect() {
		this.producerOpen.set(false);
		this.consumerOpen.set(false);
		Environment current = this.environment;
		this.environment = null;
		this.producer = null;
		if (current != null) {
			closeQuietly(current);
		}
	}

	private static void closeQuietly(Environment environment) {
		try {
			environment.close();
		}
		catch (RuntimeException ex) {
			logger.debug("Closing the stream environment failed", ex);
		}
	}

	/** The ids of recently delivered notifications, to drop a second copy of one. */
	static final class RecentIds {

		private final Map<String, Boolean> ids;

		RecentIds(int capacity) {
			this.ids = new LinkedHashMap<>(capacity, 0.75f) {
				@Override
				protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
					return size() > capacity;
				}
			};
		}

		synchronized boolean add(String id) {
			return this.ids.putIfAbsent(id, Boolean.TRUE) == null;
		}

	}

}
