package io.notifylisten.internal.log;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.stream.ConfirmationStatus;
import com.rabbitmq.stream.Message;
import com.rabbitmq.stream.Producer;
import io.notifylisten.internal.log.StreamOutbox.Pending;
import io.notifylisten.internal.presence.PresenceRecords;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's publishing to the stream: every notification goes into a bounded
 * {@link StreamOutbox} first, and one thread publishes the outbox's head in batches and
 * removes what the broker confirmed, so that nothing accepted is lost and every node
 * reads the notifications in the order they were accepted. The same thread keeps the
 * {@link StreamConnection} up, and publishes what is held before the node stops.
 *
 * <p>
 * {@link #append} returns once the broker confirmed the notification, or once it is held
 * because the broker did not answer within the confirm timeout or is away; a full outbox
 * refuses. {@link #appendAll} does the same for many notifications, published together. A
 * node set not to await confirmations returns once the notification is in the outbox.
 */
final class StreamPublisher {

	private static final Log logger = LogFactory.getLog(StreamPublisher.class);

	/** Most notifications published before waiting for their confirmations. */
	private static final int BATCH_SIZE = 256;

	/**
	 * Most notifications one caller has in the outbox before it waits for their
	 * confirmations: a few batches, so that the publishing thread always has the next
	 * batch ready.
	 */
	static final int WINDOW = 4 * BATCH_SIZE;

	private final StreamSettings settings;

	private final StreamOutbox outbox;

	private final StreamConnection connection;

	private final LocalDelivery delivery;

	private final JsonMapper jsonMapper;

	private final StreamRecordSignature signature;

	// Set first when the node stops: the publishing thread then publishes what is held
	// and ends.
	private volatile boolean stopping;

	private volatile long stopDeadline;

	private final Object wakeUp = new Object();

	private volatile @Nullable Thread publisher;

	/**
	 * Create the publishing half of the log.
	 * @param settings the stream's bounds and timeouts
	 * @param outbox holds what is accepted until the broker confirms it
	 * @param connection gives the producer, and connects when it is missing
	 * @param delivery tells presence records from notifications
	 * @param jsonMapper writes the stream's records
	 * @param signature signs the records this node writes
	 */
	StreamPublisher(StreamSettings settings, StreamOutbox outbox, StreamConnection connection, LocalDelivery delivery,
			JsonMapper jsonMapper, StreamRecordSignature signature) {
		this.settings = settings;
		this.outbox = outbox;
		this.connection = connection;
		this.delivery = delivery;
		this.jsonMapper = jsonMapper;
		this.signature = signature;
	}

	/**
	 * Accept a notification, and wait for the broker's confirmation while connected
	 * (unless the node does not await confirmations, see {@link #settle}).
	 * @param notification the notification
	 * @throws io.notifylisten.notify.NotificationFailedException when the outbox refuses
	 * it
	 */
	void append(LoggedNotification notification) {
		settle(List.of(accept(notification)));
	}

	/**
	 * Accept notifications in their order, and wait for the broker's confirmations of
	 * them all while connected. They are published together, in batches, so the wait is a
	 * round trip per batch rather than one per notification.
	 * @param notifications the notifications
	 * @throws NotificationFailedException when the outbox refuses one; those before it
	 * were accepted, and the message says how many
	 */
	void appendAll(List<LoggedNotification> notifications) {
		List<Pending> window = new ArrayList<>(Math.min(WINDOW, notifications.size()));
		int accepted = 0;
		for (LoggedNotification notification : notifications) {
			try {
				window.add(accept(notification));
			}
			catch (NotificationFailedException ex) {
				if (accepted == 0) {
					throw ex;
				}
				throw new NotificationFailedException(ex.getMessage() + "; the " + accepted
						+ " notifications before it in this call were accepted and reach every node", ex);
			}
			accepted++;
			// A long call waits window by window, so that one caller does not fill the
			// outbox while the broker takes everything.
			if (window.size() == WINDOW) {
				settle(window);
				window.clear();
			}
		}
		settle(window);
	}

	private Pending accept(LoggedNotification notification) {
		return this.delivery.carriesPresence(notification) ? this.outbox.addPresence(notification,
				PresenceRecords.node(notification.message()), PresenceRecords.replacesEarlier(notification.message()))
				: this.outbox.add(notification);
	}

	/**
	 * Wait until the broker confirmed what was just accepted, for at most the confirm
	 * timeout: confirmed, or held in the outbox once the broker has not answered in time,
	 * either way it will reach every node, so the caller goes on. While the broker is
	 * away nothing waits: the outbox holds it. A node that does not await confirmations
	 * waits only once {@link #WINDOW} notifications wait in the outbox, which bounds what
	 * its crash can lose and holds back a caller faster than the broker.
	 */
	private void settle(List<Pending> accepted) {
		if (accepted.isEmpty() || !this.connection.isConnected()
				|| (!this.settings.awaitConfirmation() && this.outbox.size() < WINDOW)) {
			return;
		}
		long deadline = System.nanoTime() + this.settings.confirmTimeout().toNanos();
		try {
			for (Pending pending : accepted) {
				long left = deadline - System.nanoTime();
				if (left <= 0 || !pending.awaitConfirmation(Duration.ofNanos(left))) {
					return;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// The caller keeps the notification until it is confirmed, so nothing waits here for
	// the broker.
	CompletableFuture<Void> append(String id, LoggedNotification notification) {
		return this.outbox.add(id, notification).confirmation().copy();
	}

	int waiting() {
		return this.outbox.size();
	}

	boolean isRefusing() {
		return this.outbox.isFull();
	}

	void start() {
		Thread thread = new Thread(this::publish, "notify-listen-stream");
		thread.setDaemon(true);
		this.publisher = thread;
		thread.start();
	}

	/**
	 * Publish what the outbox holds within the shutdown phase, and say what is dropped.
	 * The publishing thread tries the broker once more at once, without waiting out the
	 * recovery interval; only a broker that refuses the connection ends it early: nothing
	 * held could get out then.
	 */
	void publishHeld() {
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
		if (left > 0 && !this.connection.isProducerOpen()) {
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
	}

	/** End the publishing thread, should it still run. */
	void stop() {
		Thread thread = this.publisher;
		if (thread != null && thread.isAlive()) {
			thread.interrupt();
			try {
				thread.join(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	// Most of the phase, leaving a moment to close the connection before Spring moves on.
	private Duration shutdownBudget() {
		Duration phase = this.settings.shutdownTimeout();
		Duration margin = Duration.ofSeconds(1);
		return (phase.compareTo(margin.multipliedBy(2)) > 0) ? phase.minus(margin) : phase.dividedBy(2);
	}

	private void publish() {
		try {
			while (!this.connection.awaitBrokerStarted(Duration.ofSeconds(1))) {
				if (this.stopping) {
					break;
				}
			}
			while (!this.stopping) {
				if (this.connection.connectIfNeeded() != null) {
					pause(this.settings.recoveryInterval());
					continue;
				}
				this.connection.reportRejectedIfDue();
				List<Pending> batch = this.outbox.head(BATCH_SIZE, Duration.ofSeconds(1));
				if (!batch.isEmpty()
						&& !publish(this.connection.producer(), batch, this.settings.confirmTimeout().plusSeconds(5))) {
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
			if (!this.connection.isProducerOpen()) {
				this.connection.disconnect();
				RuntimeException failure = this.connection.connect(false);
				if (failure != null && refused(failure)) {
					return;
				}
				progressed = failure == null;
			}
			else {
				progressed = publish(this.connection.producer(), this.outbox.head(BATCH_SIZE, Duration.ZERO),
						Duration.ofNanos(left));
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

	/**
	 * Publish one batch from the outbox's head, and remove what the broker confirmed.
	 * @param producer the open producer, or {@code null} while there is none
	 * @param batch the outbox's head
	 * @param wait how long to wait for the confirmations
	 * @return whether the whole batch was confirmed, or at least its head
	 */
	boolean publish(@Nullable Producer producer, List<Pending> batch, Duration wait) throws InterruptedException {
		if (producer == null) {
			return false;
		}
		// One batch at a time, and the next only once every confirmation of this one is
		// in: a batch goes out on one connection, so when one of its notifications is
		// lost, those sent after it on that connection are lost too, and publishing the
		// unconfirmed ones again keeps the order of acceptance. Confirmed ones are not
		// sent again.
		CountDownLatch answered = new CountDownLatch(batch.size());
		AtomicBoolean failed = new AtomicBoolean();
		for (Pending pending : batch) {
			// Once one failed, the rest wait for the next batch: a producer that is
			// recovering refuses at once, and one sent after it could otherwise reach the
			// stream before the one that failed, on the connection that comes back.
			if (pending.isConfirmed() || failed.get()) {
				answered.countDown();
				continue;
			}
			Message message = this.signature.sign(producer.messageBuilder(),
					this.jsonMapper.writeValueAsBytes(StreamRecord.of(pending)));
			producer.send(message, (status) -> answer(pending, status, failed, answered));
		}
		// The producer answers each once the broker confirmed or refused it, which may
		// be after a recovery; an answer is lost only when the connection closes for
		// good. What has no answer by then is published again from the outbox: a copy
		// the client still holds reaches the stream twice, and readers drop the second.
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

}
