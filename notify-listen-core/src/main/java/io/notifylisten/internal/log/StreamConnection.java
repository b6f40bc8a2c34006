package io.notifylisten.internal.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.stream.Address;
import com.rabbitmq.stream.BackOffDelayPolicy;
import com.rabbitmq.stream.ByteCapacity;
import com.rabbitmq.stream.Environment;
import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.MessageHandler;
import com.rabbitmq.stream.OffsetSpecification;
import com.rabbitmq.stream.Producer;
import com.rabbitmq.stream.Resource;
import com.rabbitmq.stream.StreamException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's connection to the stream and its reading of it: the environment with one
 * producer and one consumer, the stream created when missing, a new connection when the
 * client gave up on one, and every record read handed to {@link LocalDelivery} once its
 * signature verifies, in the order of the stream's offsets and each id once.
 *
 * <p>
 * A node that starts reads the last {@code history.ttl} of the stream into its history,
 * so pages that reconnect to it recover what they missed; it tells when that reading has
 * caught up by a marker record it writes itself. Operators read one WARN when the broker
 * is lost and one INFO when it is back, whatever the number of resources.
 */
final class StreamConnection {

	private static final Log logger = LogFactory.getLog(StreamConnection.class);

	/**
	 * Notifications appended this long before the node started are only remembered, not
	 * delivered: no page of this node waited for them live. The allowance covers clocks
	 * that differ between this node and the broker; a page that connected meanwhile drops
	 * a message it already has.
	 */
	static final Duration LIVE_ALLOWANCE = Duration.ofSeconds(10);

	/** As often as the WARN that sums up refused client input. */
	private static final Duration REJECTED_SUMMARY_INTERVAL = Duration.ofMinutes(5);

	private final StreamSettings settings;

	private final LocalDelivery delivery;

	private final JsonMapper jsonMapper;

	private final StreamRecordSignature signature;

	private final StreamOutbox outbox;

	private final Clock clock;

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

	// Set first when the node stops: what it could not publish is said once, on stop.
	private volatile boolean stopping;

	// Set when the client closed the producer or consumer for good (the stream was
	// deleted): the publishing thread then connects anew, which creates the stream again.
	private volatile boolean reconnect;

	private volatile @Nullable Environment environment;

	private volatile @Nullable Producer producer;

	private Instant startedAt = Instant.EPOCH;

	private volatile @Nullable String startMarker;

	// Guarded by this: see read().
	private long lastOffset = -1;

	/**
	 * Create the connection, not connected yet.
	 * @param settings where the stream is and its bounds
	 * @param delivery hands what is read to this node's connections
	 * @param jsonMapper reads the stream's records and writes the start marker
	 * @param signature checks the records read and signs the start marker
	 * @param outbox what waits for the broker, counted when it is lost and back
	 * @param clock tells what was appended before this node started
	 */
	StreamConnection(StreamSettings settings, LocalDelivery delivery, JsonMapper jsonMapper,
			StreamRecordSignature signature, StreamOutbox outbox, Clock clock) {
		this.settings = settings;
		this.delivery = delivery;
		this.jsonMapper = jsonMapper;
		this.signature = signature;
		this.outbox = outbox;
		this.clock = clock;
		this.rejected = new RejectedRecords(settings.describe(), REJECTED_SUMMARY_INTERVAL, clock);
	}

	/** Take the time this node starts reading from, and report availability from now. */
	void start() {
		this.startedAt = this.clock.instant();
		this.running = true;
	}

	/** Say nothing more about availability: the node stops and says what it dropped. */
	void stopping() {
		this.stopping = true;
	}

	/**
	 * Connect no more: a producer or consumer the client closes from now on stays closed.
	 * {@link #disconnect()} closes the connection itself.
	 */
	void stop() {
		this.running = false;
	}

	/** Let reading start: the embedded broker takes messages now. */
	void brokerStarted() {
		this.brokerStarted.countDown();
	}

	/**
	 * Wait for the embedded broker to take messages, before a delivery could be lost.
	 * @param timeout the longest wait
	 * @return whether it does
	 */
	boolean awaitBrokerStarted(Duration timeout) throws InterruptedException {
		return this.brokerStarted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	boolean isConnected() {
		return this.producerOpen.get() && this.consumerOpen.get();
	}

	boolean isProducerOpen() {
		return this.producerOpen.get();
	}

	/**
	 * The producer to publish with.
	 * @return the producer, or {@code null} while it is not open
	 */
	@Nullable Producer producer() {
		Producer current = this.producer;
		return (current != null && this.producerOpen.get()) ? current : null;
	}

	/**
	 * Connect, unless connected: again from scratch when the client gave up on the
	 * producer or consumer.
	 * @return why it could not connect, or {@code null} when connected
	 */
	@Nullable RuntimeException connectIfNeeded() {
		if (this.reconnect) {
			this.reconnect = false;
			disconnect();
		}
		return (this.environment == null) ? connect(true) : null;
	}

	Map<String, Long> rejectedRecords() {
		return this.rejected.totals();
	}

	void reportRejectedIfDue() {
		this.rejected.reportIfDue();
	}

	/**
	 * Connect to the broker.
	 * @param consume whether to read the stream too, or only to publish
	 * @return why it failed, or {@code null} once connected
	 */
	@Nullable RuntimeException connect(boolean consume) {
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
				// The client writes what it sent and the broker had not confirmed again
				// once it has recovered a lost connection, oldest first, and only then
				// what was sent meanwhile, which it holds until then: the order of
				// acceptance. Left to fail (retryOnRecovery false, or a confirm timeout
				// of its own) those would be published again by the outbox behind
				// notifications accepted after them. How long a caller waits is the
				// outbox's to bound, and a copy that reaches the stream twice is dropped
				// by its id.
				.retryOnRecovery(true)
				.confirmTimeout(Duration.ZERO)
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
				markStart(this.producer);
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
	void markStart(@Nullable Producer current) {
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
		read(context.offset(), Instant.ofEpochMilli(context.timestamp()), message);
	}

	/**
	 * Hand one record the consumer read to this node's connections, or to its history
	 * only when it was appended before this node started.
	 * @param offset the record's offset in the stream
	 * @param appendedAt when the broker appended it
	 * @param message the record
	 */
	synchronized void read(long offset, Instant appendedAt, Message message) {
		// After a recovery the consumer starts again at the last offset it dispatched.
		// Synchronized, so that records are dispatched one at a time and in the order of
		// their offsets even should two subscriptions read at once: the client can
		// recover one twice when a connection's loss and a topology change come together
		// (rabbitmq-stream-java-client pull request 979, fixed in 1.7), and a page drops
		// a message older than one it already has.
		if (offset <= this.lastOffset) {
			return;
		}
		this.lastOffset = offset;
		try {
			dispatch(offset, appendedAt, message);
		}
		finally {
			// Positions given to pages cover every record read, whatever became of it.
			this.delivery.read(offset);
		}
	}

	private void dispatch(long offset, Instant appendedAt, Message message) {
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
			// A stopping node says once, in StreamPublisher.publishHeld(), what it could
			// not
			// publish.
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

	void disconnect() {
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
