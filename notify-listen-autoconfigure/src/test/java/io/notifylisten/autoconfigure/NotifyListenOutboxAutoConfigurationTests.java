package io.notifylisten.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import io.notifylisten.internal.notify.TransactionalOutbox;
import io.notifylisten.internal.outbox.JdbcTransactionalOutbox;
import io.notifylisten.internal.outbox.PostgresDatabase;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.Notifier;
import org.junit.jupiter.api.Test;

import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NotifyListenOutboxAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = NotifyListenContextRunners
		.core(NotifyListenOutboxAutoConfiguration.class, DataSourceAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class)
		.withUserConfiguration(RecordingLogConfiguration.class)
		.withPropertyValues("notify-listen.key=shop",
				"spring.datasource.url=jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	@Test
	void staysOffUnlessEnabled() {
		this.contextRunner
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TransactionalOutbox.class));
	}

	@Test
	void staysOffWithoutADataSource() {
		NotifyListenContextRunners.core(NotifyListenOutboxAutoConfiguration.class)
			.withPropertyValues("notify-listen.outbox.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TransactionalOutbox.class));
	}

	@Test
	void staysOffWithoutSpringJdbcAndTheNotifierWorksAsBefore() {
		this.contextRunner.withPropertyValues("notify-listen.outbox.enabled=true")
			.withClassLoader(new FilteredClassLoader(JdbcTemplate.class))
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(TransactionalOutbox.class);
				context.getBean(Notifier.class).notify("Order", 7, "shipped", Map.of());
				assertThat(context.getBean(RecordingLog.class).appended).hasSize(1);
			});
	}

	@Test
	void createsTheTableOfAnEmbeddedDatabaseAndPublishesWhatATransactionNotifiedAfterItCommits() {
		this.contextRunner.withPropertyValues("notify-listen.outbox.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(JdbcTransactionalOutbox.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			RecordingLog log = context.getBean(RecordingLog.class);
			context.getBean(TransactionTemplate.class).executeWithoutResult((status) -> {
				context.getBean(Notifier.class).notify("Order", 7, "shipped", Map.of("n", 1));
				assertThat(rows(jdbc)).isOne();
				assertThat(log.ids).isEmpty();
			});
			assertThat(log.ids).hasSize(1);
			await().atMost(Duration.ofSeconds(5)).until(() -> rows(jdbc) == 0);
		});
	}

	@Test
	void outsideATransactionNotifySendsAsWithoutTheOutbox() {
		this.contextRunner.withPropertyValues("notify-listen.outbox.enabled=true").run((context) -> {
			context.getBean(Notifier.class).notify("Order", 7, "shipped", Map.of("n", 1));
			RecordingLog log = context.getBean(RecordingLog.class);
			assertThat(log.ids).isEmpty();
			assertThat(log.appended).hasSize(1);
		});
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnOutbox() {
		this.contextRunner.withPropertyValues("notify-listen.outbox.enabled=true")
			.withBean(TransactionalOutbox.class, OwnOutbox::new)
			.run((context) -> assertThat(context).hasSingleBean(TransactionalOutbox.class)
				.getBean(TransactionalOutbox.class)
				.isInstanceOf(OwnOutbox.class));
	}

	@Test
	void aMissingTableStopsStartupNamingTheScriptAndTheProperty() {
		this.contextRunner
			.withPropertyValues("notify-listen.outbox.enabled=true",
					"notify-listen.outbox.jdbc.initialize-schema=never")
			.run((context) -> assertThat(context).getFailure()
				.cause()
				.hasMessageContaining("NOTIFY_LISTEN_OUTBOX")
				.hasMessageContaining("classpath:io/notifylisten/outbox/schema-h2.sql")
				.hasMessageContaining("notify-listen.outbox.jdbc.initialize-schema=always"));
	}

	@Test
	void aDatabaseWithoutAScriptOfItsOwnIsPointedToTheStandardOne() {
		this.contextRunner
			.withPropertyValues("notify-listen.outbox.enabled=true", "notify-listen.outbox.jdbc.platform=db2",
					"notify-listen.outbox.jdbc.initialize-schema=never")
			.run((context) -> assertThat(context).getFailure()
				.cause()
				.hasMessageContaining("classpath:io/notifylisten/outbox/schema.sql"));
	}

	@Test
	void onPostgresqlTheTableIsLeftToTheApplicationsMigrationsByDefault() {
		PostgresDatabase postgres = PostgresDatabase.get();
		this.contextRunner
			.withPropertyValues("notify-listen.outbox.enabled=true",
					"spring.datasource.url=" + postgres.freshSchemaUrl(),
					"spring.datasource.username=" + postgres.username(),
					"spring.datasource.password=" + postgres.password())
			.run((context) -> assertThat(context).getFailure()
				.cause()
				.hasMessageContaining("classpath:io/notifylisten/outbox/schema-postgresql.sql")
				.hasMessageContaining("notify-listen.outbox.jdbc.initialize-schema=always"));
	}

	@Test
	void onPostgresqlInitializeSchemaAlwaysCreatesTheTableOnceFromItsScript() {
		PostgresDatabase postgres = PostgresDatabase.get();
		WebApplicationContextRunner runner = this.contextRunner.withPropertyValues("notify-listen.outbox.enabled=true",
				"notify-listen.outbox.jdbc.initialize-schema=always",
				"spring.datasource.url=" + postgres.freshSchemaUrl(),
				"spring.datasource.username=" + postgres.username(),
				"spring.datasource.password=" + postgres.password());
		runner.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(JdbcTransactionalOutbox.class));
		// A second start finds the table there and leaves it as it is.
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			context.getBean(TransactionTemplate.class)
				.executeWithoutResult(
						(status) -> context.getBean(Notifier.class).notify("Order", 7, "shipped", Map.of()));
			assertThat(context.getBean(RecordingLog.class).ids).hasSize(1);
			await().atMost(Duration.ofSeconds(5)).until(() -> rows(jdbc) == 0);
		});
	}

	@Test
	void aLeaseShorterThanTwoSweepsStopsStartupNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("notify-listen.outbox.enabled=true", "notify-listen.outbox.lease=5s",
					"notify-listen.outbox.sweep-interval=5s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("notify-listen.outbox.lease")
				.hasMessageContaining("twice notify-listen.outbox.sweep-interval"));
	}

	private static int rows(JdbcTemplate jdbc) {
		return jdbc.queryForObject("SELECT COUNT(*) FROM NOTIFY_LISTEN_OUTBOX", Integer.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingLogConfiguration {

		@Bean
		RecordingLog recordingLog() {
			return new RecordingLog();
		}

	}

	/**
	 * The log, recording what it is given: with an id from the outbox, without one
	 * otherwise.
	 */
	static class RecordingLog implements NotificationLog {

		final List<LoggedNotification> appended = new CopyOnWriteArrayList<>();

		final List<String> ids = new CopyOnWriteArrayList<>();

		@Override
		public void append(LoggedNotification notification) {
			this.appended.add(notification);
		}

		@Override
		public CompletableFuture<Void> append(String id, LoggedNotification notification) {
			this.ids.add(id);
			return CompletableFuture.completedFuture(null);
		}

	}

	static class OwnOutbox implements TransactionalOutbox {

		@Override
		public boolean joinsCurrentTransaction() {
			return false;
		}

		@Override
		public void store(LoggedNotification notification) {
		}

	}

}
