package io.notifylisten.internal.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import javax.sql.DataSource;

import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.NotifyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The outbox on H2 (and, in a subclass, on PostgreSQL): what a transaction notifies is a
 * row until the log holds it, and what a node left behind is published by another, once
 * per id and in the order it was written.
 */
class JdbcTransactionalOutboxTests {

	private final DataSource dataSource = dataSource();

	private final JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);

	private final TransactionTemplate transactions = new TransactionTemplate(
			new DataSourceTransactionManager(this.dataSource));

	private final List<JdbcTransactionalOutbox> started = new ArrayList<>();

	@AfterEach
	void stopOutboxes() {
		this.started.forEach(JdbcTransactionalOutbox::stop);
	}

	@Test
	void aNotificationMadeInATransactionIsARowUntilCommitThenPublishedUnderTheRowsIdAndDeleted() {
		createTable();
		RecordingLog log = new RecordingLog((id) -> CompletableFuture.completedFuture(null));
		JdbcTransactionalOutbox outbox = start(outbox(log, Duration.ofSeconds(30)));
		this.transactions.executeWithoutResult((status) -> {
			assertThat(outbox.joinsCurrentTransaction()).isTrue();
			outbox.store(notification(1));
			assertThat(rowIds()).hasSize(1);
			assertThat(log.ids).as("nothing before commit").isEmpty();
		});
		assertThat(log.numbers()).containsExactly(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> rowIds().isEmpty());
	}

	@Test
	void theRowsIdIsTheIdTheLogDropsASecondCopyBy() {
		createTable();
		RecordingLog log = new RecordingLog((id) -> new CompletableFuture<>());
		JdbcTransactionalOutbox outbox = outbox(log, Duration.ofSeconds(30));
		this.transactions.executeWithoutResult((status) -> outbox.store(notification(1)));
		assertThat(log.ids).containsExactlyElementsOf(rowIds());
	}

	@Test
	void aRolledBackTransactionLeavesNoRowAndPublishesNothing() {
		createTable();
		RecordingLog log = new RecordingLog((id) -> CompletableFuture.completedFuture(null));
		JdbcTransactionalOutbox outbox = start(outbox(log, Duration.ofSeconds(30)));
		this.transactions.executeWithoutResult((status) -> {
			outbox.store(notification(1));
			status.setRollbackOnly();
		});
		assertThat(rowIds()).isEmpty();
		assertThat(log.ids).isEmpty();
	}

	@Test
	void outsideATransactionTheOutboxStandsAside() {
		createTable();
		JdbcTransactionalOutbox outbox = outbox(new RecordingLog((id) -> null), Duration.ofSeconds(30));
		assertThat(outbox.joinsCurrentTransaction()).isFalse();
	}

	@Test
	void aReadOnlyTransactionIsLeftToTheNotifiersSendAfterCommit() {
		createTable();
		JdbcTransactionalOutbox outbox = outbox(new RecordingLog((id) -> null), Duration.ofSeconds(30));
		TransactionTemplate readOnly = new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
		readOnly.setReadOnly(true);
		readOnly.executeWithoutResult((status) -> assertThat(outbox.joinsCurrentTransaction()).isFalse());
	}

	@Test
	void rowsOfANodeThatCrashedArePublishedByAnotherOnceTheirLeaseRunsOutInTheOrderTheyWereCommitted() {
		createTable();
		// Node A wrote 50 rows; the log never confirmed them and A is gone.
		RecordingLog logOfA = new RecordingLog((id) -> new CompletableFuture<>());
		JdbcTransactionalOutbox nodeA = outbox(logOfA, Duration.ofMillis(400));
		for (int n = 1; n <= 50; n++) {
			int number = n;
			this.transactions.executeWithoutResult((status) -> nodeA.store(notification(number)));
		}
		RecordingLog logOfB = new RecordingLog((id) -> CompletableFuture.completedFuture(null));
		start(outbox(logOfB, Duration.ofMillis(400)));
		await().atMost(Duration.ofSeconds(10)).until(() -> rowIds().isEmpty());
		assertThat(logOfB.ids).containsExactlyElementsOf(logOfA.ids);
		assertThat(logOfB.numbers()).isEqualTo(logOfA.numbers()).hasSize(50).isSorted();
	}

	@Test
	void twoNodesSweepingTogetherPublishEachNodesRowsInOrder() {
		createTable();
		// A lease long enough for a node to publish a batch, even while it warms up: one
		// that ran out meanwhile would let the other node publish the same rows, and
		// order holds only within it.
		Duration lease = Duration.ofSeconds(2);
		RecordingLog logOfA = new RecordingLog((id) -> new CompletableFuture<>());
		JdbcTransactionalOutbox nodeA = outbox(logOfA, lease);
		for (int n = 1; n <= 300; n++) {
			int number = n;
			this.transactions.executeWithoutResult((status) -> nodeA.store(notification(number)));
		}
		// One log shared by both, as the stream is: what matters is the order of first
		// copies.
		RecordingLog shared = new RecordingLog((id) -> CompletableFuture.completedFuture(null));
		start(outbox(shared, lease));
		start(outbox(shared, lease));
		await().atMost(Duration.ofSeconds(20)).until(() -> rowIds().isEmpty());
		assertThat(new ArrayList<>(new LinkedHashSet<>(shared.ids))).containsExactlyElementsOf(logOfA.ids);
	}

	@Test
	void aRowTheLogRefusedIsPublishedByALaterSweep() {
		createTable();
		AtomicInteger attempts = new AtomicInteger();
		RecordingLog log = new RecordingLog((id) -> {
			if (attempts.incrementAndGet() == 1) {
				throw new NotificationFailedException("the outbox of the stream is full");
			}
			return CompletableFuture.completedFuture(null);
		});
		JdbcTransactionalOutbox outbox = start(outbox(log, Duration.ofMillis(400)));
		this.transactions.executeWithoutResult((status) -> outbox.store(notification(1)));
		await().atMost(Duration.ofSeconds(10)).until(() -> rowIds().isEmpty());
		assertThat(log.numbers()).containsExactly(1, 1);
	}

	@Test
	void aMissingTableStopsStartupNamingTheScriptAndTheProperty() {
		JdbcTransactionalOutbox outbox = outbox(new RecordingLog((id) -> null), Duration.ofSeconds(30));
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(outbox::start)
			.withMessageContaining("NOTIFY_LISTEN_OUTBOX")
			.withMessageContaining(script())
			.withMessageContaining("notify-listen.outbox.jdbc.initialize-schema=always");
	}

	@Test
	void aMissingTableFailsNotifyNamingTheScriptAndTheProperty() {
		JdbcTransactionalOutbox outbox = outbox(new RecordingLog((id) -> null), Duration.ofSeconds(30));
		assertThatExceptionOfType(NotificationFailedException.class)
			.isThrownBy(() -> this.transactions.executeWithoutResult((status) -> outbox.store(notification(1))))
			.withMessageContaining("Order/1/refresh was not sent")
			.withMessageContaining(script())
			.withMessageContaining("notify-listen.outbox.jdbc.initialize-schema=always");
	}

	/** An empty database. */
	DataSource dataSource() {
		return new DriverManagerDataSource("jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
	}

	/** The script that creates the table on it. */
	String script() {
		return "classpath:io/notifylisten/outbox/schema-h2.sql";
	}

	private void createTable() {
		new ResourceDatabasePopulator(new DefaultResourceLoader().getResource(script())).execute(this.dataSource);
	}

	private List<String> rowIds() {
		return this.jdbc.queryForList("SELECT ID FROM NOTIFY_LISTEN_OUTBOX ORDER BY SEQ", String.class);
	}

	private JdbcTransactionalOutbox outbox(NotificationLog log, Duration lease) {
		return new JdbcTransactionalOutbox(this.dataSource, script(), log, JsonMapper.shared(), Clock.systemUTC(),
				lease, lease.dividedBy(4), 16);
	}

	private JdbcTransactionalOutbox start(JdbcTransactionalOutbox outbox) {
		outbox.start();
		this.started.add(outbox);
		return outbox;
	}

	private static LoggedNotification notification(int n) {
		return new LoggedNotification("/topic/outbox-test.Order.1.refresh", Map.of(),
				new NotifyMessage("Order", "1", "refresh", Instant.now(), "alice", Map.of("n", n)));
	}

	/** A log that records what it is given, and answers as told. */
	static final class RecordingLog implements NotificationLog {

		final List<String> ids = new CopyOnWriteArrayList<>();

		final List<LoggedNotification> notifications = new CopyOnWriteArrayList<>();

		private final Function<String, CompletableFuture<Void>> answer;

		RecordingLog(Function<String, CompletableFuture<Void>> answer) {
			this.answer = answer;
		}

		@Override
		public void append(LoggedNotification notification) {
			throw new UnsupportedOperationException("the outbox appends with the row's id");
		}

		@Override
		public synchronized CompletableFuture<Void> append(String id, LoggedNotification notification) {
			this.ids.add(id);
			this.notifications.add(notification);
			return this.answer.apply(id);
		}

		List<Integer> numbers() {
			return this.notifications.stream()
				.map((notification) -> ((Number) notification.message().payload().get("n")).intValue())
				.toList();
		}

	}

}
