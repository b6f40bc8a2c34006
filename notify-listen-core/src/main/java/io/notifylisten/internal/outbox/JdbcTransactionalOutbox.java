package io.notifylisten.internal.outbox;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import io.notifylisten.internal.notify.TransactionalOutbox;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotificationLog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link TransactionalOutbox} in a table of the application's database. A notification
 * made inside a transaction is written in it, appended to the {@link NotificationLog}
 * after commit under the row's id, and deleted once the log holds it for good. Rows left
 * by a node that crashed, or that the log refused, are published by the first node whose
 * sweep finds their lease run out.
 */
public class JdbcTransactionalOutbox implements TransactionalOutbox, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(JdbcTransactionalOutbox.class);

	/** Most confirmed rows deleted in one statement batch. */
	private static final int DELETE_BATCH = 1024;

	private final DataSource dataSource;

	private final OutboxTable table;

	private final NotificationLog log;

	private final JsonMapper jsonMapper;

	private final Clock clock;

	private final Duration lease;

	private final Duration sweepInterval;

	private final int sweepBatchSize;

	// A node's rows carry its id, which is new with every start: the rows of a node that
	// crashed are renewed by nobody, and their lease runs out.
	private final String node = UUID.randomUUID().toString();

	private final BlockingQueue<String> confirmed = new LinkedBlockingQueue<>();

	private final BlockingQueue<String> refused = new LinkedBlockingQueue<>();

	private volatile boolean running;

	private volatile @Nullable Thread worker;

	// Only the worker touches it.
	private boolean databaseLost;

	/**
	 * Create the outbox.
	 * @param dataSource the database the application's transactions write to
	 * @param schemaScript the script that creates the table on this database, named in
	 * errors
	 * @param log where rows are published
	 * @param jsonMapper writes and reads the rows' notifications
	 * @param clock stamps leases
	 * @param lease how long a row waits for its node before any node may publish it
	 * @param sweepInterval how often leases are renewed and rows whose lease ran out
	 * published
	 * @param sweepBatchSize most rows one sweep claims at once
	 */
	public JdbcTransactionalOutbox(DataSource dataSource, String schemaScript, NotificationLog log,
			JsonMapper jsonMapper, Clock clock, Duration lease, Duration sweepInterval, int sweepBatchSize) {
		this.dataSource = dataSource;
		this.table = new OutboxTable(dataSource, schemaScript);
		this.log = log;
		this.jsonMapper = jsonMapper;
		this.clock = clock;
		this.lease = lease;
		this.sweepInterval = sweepInterval;
		this.sweepBatchSize = sweepBatchSize;
	}

	// Only a transaction that holds this database's connection: a row written on another
	// connection would stay when the application's transaction rolls back. A read-only
	// one could not write it.
	@Override
	public boolean joinsCurrentTransaction() {
		return TransactionSynchronizationManager.isActualTransactionActive()
				&& !TransactionSynchronizationManager.isCurrentTransactionReadOnly()
				&& TransactionSynchronizationManager.getResource(this.dataSource) != null;
	}

	@Override
	public void store(LoggedNotification notification) {
		String id = UUID.randomUUID().toString();
		try {
			this.table.insert(id, this.node, leaseUntil(), this.jsonMapper.writeValueAsString(notification));
		}
		catch (DataAccessException ex) {
			String reason = (ex instanceof BadSqlGrammarException) ? this.table.refusal(ex) : ex.getMessage();
			throw new NotificationFailedException(
					"Notification " + notification.message().channel() + " was not sent: " + reason, ex);
		}
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				publish(id, notification);
			}
		});
	}

	private CompletableFuture<Void> publish(String id, LoggedNotification notification) {
		CompletableFuture<Void> appended;
		try {
			appended = this.log.append(id, notification);
		}
		catch (RuntimeException ex) {
			// The row stays: a later sweep publishes it once the log takes notifications
			// again.
			logger.debug("The notification log refused outbox row " + id + ": " + ex.getMessage());
			appended = CompletableFuture.failedFuture(ex);
		}
		return appended.whenComplete((ignored, failure) -> ((failure == null) ? this.confirmed : this.refused).add(id));
	}

	@Override
	public void start() {
		this.table.check();
		logger.info("Notifications made in transactions are written to " + OutboxTable.NAME
				+ " and published after commit; rows waiting longer than " + this.lease.toSeconds()
				+ " s for their node are published by any node");
		this.running = true;
		Thread thread = new Thread(this::work, "notify-listen-outbox");
		thread.setDaemon(true);
		this.worker = thread;
		thread.start();
	}

	@Override
	public void stop() {
		this.running = false;
		Thread thread = this.worker;
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(Duration.ofSeconds(10).toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		// What the log confirmed while it stopped goes now; anything else waits for a
		// sweep.
		try {
			deleteConfirmed();
		}
		catch (DataAccessException ex) {
			logger.debug("Could not delete published outbox rows at shutdown; a sweep publishes them again", ex);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	// Started before the log and stopped after it (RabbitStreamNotificationLog runs at
	// DEFAULT_PHASE - 4096): what the log confirms while it stops is still deleted here.
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 8192;
	}

	private void work() {
		long nextSweep = this.clock.millis() + this.sweepInterval.toMillis();
		while (this.running) {
			try {
				String first = this.confirmed.poll(Math.max(1, nextSweep - this.clock.millis()), TimeUnit.MILLISECONDS);
				if (first != null) {
					this.confirmed.add(first);
				}
				deleteConfirmed();
				releaseRefused();
				if (this.clock.millis() >= nextSweep) {
					sweep();
					nextSweep = this.clock.millis() + this.sweepInterval.toMillis();
				}
				databaseBack();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (DataAccessException ex) {
				databaseLost(ex);
				sleepQuietly();
				nextSweep = this.clock.millis();
			}
		}
	}

	private void deleteConfirmed() {
		List<String> ids = new ArrayList<>();
		while (this.confirmed.drainTo(ids, DELETE_BATCH) > 0) {
			try {
				this.table.delete(ids);
			}
			catch (DataAccessException ex) {
				this.confirmed.addAll(ids);
				throw ex;
			}
			ids.clear();
		}
	}

	private void releaseRefused() {
		List<String> ids = new ArrayList<>();
		if (this.refused.drainTo(ids) > 0) {
			try {
				this.table.release(ids);
			}
			catch (DataAccessException ex) {
				this.refused.addAll(ids);
				throw ex;
			}
		}
	}

	// A batch published and confirmed is followed by the next at once, so that a node
	// drains what a crashed node left at the log's pace, not one batch per interval.
	private void sweep() throws InterruptedException {
		this.table.renew(this.node, leaseUntil());
		long deadline = System.nanoTime() + this.sweepInterval.toNanos();
		while (this.running && System.nanoTime() < deadline) {
			List<OutboxTable.Row> rows = this.table.claim(this.node, this.clock.millis(), leaseUntil(),
					this.sweepBatchSize);
			List<CompletableFuture<Void>> published = new ArrayList<>(rows.size());
			for (OutboxTable.Row row : rows) {
				LoggedNotification notification = read(row);
				if (notification != null) {
					published.add(publish(row.id(), notification));
				}
			}
			if (rows.isEmpty() || !allConfirmed(published, deadline)) {
				return;
			}
			deleteConfirmed();
		}
	}

	private @Nullable LoggedNotification read(OutboxTable.Row row) {
		try {
			return this.jsonMapper.readValue(row.notification(), LoggedNotification.class);
		}
		catch (JacksonException ex) {
			// Left in the table for an operator: publishing it could never succeed.
			logger.warn("Outbox row " + row.id() + " of " + OutboxTable.NAME + " is not a notification and is left "
					+ "unpublished: " + ex.getOriginalMessage());
			return null;
		}
	}

	private static boolean allConfirmed(List<CompletableFuture<Void>> published, long deadline)
			throws InterruptedException {
		try {
			CompletableFuture.allOf(published.toArray(CompletableFuture[]::new))
				.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (ExecutionException | TimeoutException ex) {
			return false;
		}
	}

	private long leaseUntil() {
		return this.clock.millis() + this.lease.toMillis();
	}

	// One WARN when the database is lost, one INFO when it is back.
	private void databaseLost(DataAccessException ex) {
		if (!this.databaseLost) {
			this.databaseLost = true;
			logger.warn("The notification outbox cannot reach " + OutboxTable.NAME + ": " + ex.getMessage()
					+ ". Published rows are deleted and left rows published once it is back; trying again every "
					+ this.sweepInterval.toSeconds() + " s");
		}
	}

	private void databaseBack() {
		if (this.databaseLost) {
			this.databaseLost = false;
			logger.info("The notification outbox reaches " + OutboxTable.NAME + " again");
		}
	}

	private void sleepQuietly() {
		try {
			Thread.sleep(this.sweepInterval.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
