package io.notifylisten.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.notifylisten.autoconfigure.NotifyListenOutboxAutoConfigurationTests.RecordingLog;
import io.notifylisten.autoconfigure.NotifyListenOutboxAutoConfigurationTests.RecordingLogConfiguration;
import io.notifylisten.internal.persistence.EntityChangeListenerRegistrar;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.Notifier;
import io.notifylisten.notify.PayloadTooLargeException;
import io.notifylisten.testapp.OrderLine;
import io.notifylisten.testapp.OrderLineRepository;
import io.notifylisten.testapp.ShopOrder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Entities marked {@code @NotifiesChanges} notify through the application's notifier on a
 * real Hibernate and H2, through Spring Data repositories and a plain
 * {@link EntityManager} in Spring transactions. {@link OrderLine} refreshes its
 * {@link ShopOrder}, which declares nothing.
 */
class NotifyListenEntityChangesAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = NotifyListenContextRunners
		.core(NotifyListenEntityChangesAutoConfiguration.class, NotifyListenOutboxAutoConfiguration.class,
				DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class,
				TransactionAutoConfiguration.class)
		.withUserConfiguration(OrdersConfiguration.class)
		.withPropertyValues("notify-listen.key=shop",
				"spring.datasource.url=jdbc:h2:mem:entity-changes-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	@Test
	void createUpdateAndDeleteThroughARepositoryNotifyOnceEachAfterCommit() {
		this.contextRunner.run((context) -> {
			OrderLineRepository lines = context.getBean(OrderLineRepository.class);
			RecordingLog log = context.getBean(RecordingLog.class);
			ShopOrder order = saveOrder(context, 7);

			transaction(context).executeWithoutResult((status) -> {
				lines.saveAndFlush(new OrderLine(1, order, "Pen", 2));
				assertThat(log.appended).isEmpty();
			});
			assertThat(channels(log)).containsExactly("OrderLine/1/created", "Order/7/refresh");

			OrderLine line = lines.findById(1L).orElseThrow();
			line.setQuantity(3);
			lines.save(line);
			assertThat(channels(log)).containsExactly("OrderLine/1/created", "Order/7/refresh", "OrderLine/1/updated",
					"Order/7/refresh");
			assertThat(log.appended.get(2).message().payload()).isEqualTo(Map.of("product", "Pen", "quantity", 3));
			assertThat(log.appended.get(3).message().payload()).isEmpty();

			log.appended.clear();
			lines.deleteById(1L);
			assertThat(channels(log)).containsExactly("OrderLine/1/deleted", "Order/7/refresh");
		});
	}

	@Test
	void twoUpdatesOfOneRowThroughAPlainEntityManagerInOneTransactionNotifyOnceWithTheLastState() {
		this.contextRunner.run((context) -> {
			ShopOrder order = saveOrder(context, 7);
			context.getBean(OrderLineRepository.class).save(new OrderLine(1, order, "Pen", 2));
			RecordingLog log = context.getBean(RecordingLog.class);
			log.appended.clear();
			EntityManager entityManager = SharedEntityManagerCreator
				.createSharedEntityManager(context.getBean(EntityManagerFactory.class));

			transaction(context).executeWithoutResult((status) -> {
				OrderLine line = entityManager.find(OrderLine.class, 1L);
				line.setQuantity(4);
				entityManager.flush();
				line.setQuantity(5);
			});

			assertThat(channels(log)).containsExactly("OrderLine/1/updated", "Order/7/refresh");
			assertThat(log.appended.get(0).message().payload()).containsEntry("quantity", 5);
		});
	}

	@Test
	void aRolledBackTransactionNotifiesNothingThoughHibernateFlushed() {
		this.contextRunner.run((context) -> {
			ShopOrder order = saveOrder(context, 7);
			RecordingLog log = context.getBean(RecordingLog.class);

			transaction(context).executeWithoutResult((status) -> {
				context.getBean(OrderLineRepository.class).saveAndFlush(new OrderLine(1, order, "Pen", 2));
				status.setRollbackOnly();
			});

			assertThat(log.appended).isEmpty();
			assertThat(context.getBean(OrderLineRepository.class).count()).isZero();
		});
	}

	@Test
	void aPayloadOverTheLimitFailsTheCommitAsANotifyCallWould() {
		this.contextRunner.withPropertyValues("notify-listen.payload.max-size=20B").run((context) -> {
			ShopOrder order = saveOrder(context, 7);
			OrderLineRepository lines = context.getBean(OrderLineRepository.class);

			assertThatException().isThrownBy(() -> lines.save(new OrderLine(1, order, "A rather long product", 2)))
				.withRootCauseInstanceOf(PayloadTooLargeException.class);

			assertThat(lines.count()).isZero();
			assertThat(context.getBean(RecordingLog.class).appended).isEmpty();
		});
	}

	// The notifications are written to the outbox after Hibernate's last flush, on the
	// transaction's own connection, before the database commits.
	@Test
	void withTheOutboxTheNotificationsAreWrittenInTheTransactionAndPublishedAfterCommit() {
		this.contextRunner.withPropertyValues("notify-listen.outbox.enabled=true").run((context) -> {
			ShopOrder order = saveOrder(context, 7);
			RecordingLog log = context.getBean(RecordingLog.class);

			context.getBean(OrderLineRepository.class).save(new OrderLine(1, order, "Pen", 2));

			assertThat(log.appended).isEmpty();
			assertThat(log.ids).hasSize(2);
		});
	}

	// Spring Data's deferred mode builds the factory in the background: the registrar
	// waits for it, which must not deadlock the context.
	@Test
	@Timeout(60)
	void notifiesWhenTheEntityManagerFactoryIsBootstrappedInTheBackground() {
		NotifyListenContextRunners
			.core(NotifyListenEntityChangesAutoConfiguration.class, DataSourceAutoConfiguration.class,
					HibernateJpaAutoConfiguration.class, DataJpaRepositoriesAutoConfiguration.class,
					TaskExecutionAutoConfiguration.class, TransactionAutoConfiguration.class)
			.withUserConfiguration(DeferredOrdersConfiguration.class)
			.withPropertyValues("notify-listen.key=shop", "spring.data.jpa.repositories.bootstrap-mode=deferred",
					"spring.datasource.url=jdbc:h2:mem:entity-changes-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
			.run((context) -> {
				ShopOrder order = saveOrder(context, 7);
				context.getBean(OrderLineRepository.class).save(new OrderLine(1, order, "Pen", 2));

				assertThat(channels(context.getBean(RecordingLog.class))).containsExactly("OrderLine/1/created",
						"Order/7/refresh");
			});
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnRegistrar() {
		this.contextRunner.withUserConfiguration(OwnRegistrarConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(EntityChangeListenerRegistrar.class)
				.hasBean("ownRegistrar"));
	}

	@Test
	void staysOffWithoutAnEntityManagerFactory() {
		NotifyListenContextRunners.core(NotifyListenEntityChangesAutoConfiguration.class)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(EntityChangeListenerRegistrar.class));
	}

	private static ShopOrder saveOrder(AssertableWebApplicationContext context, long id) {
		return transaction(context).execute((status) -> {
			ShopOrder order = new ShopOrder(id, "new");
			SharedEntityManagerCreator.createSharedEntityManager(context.getBean(EntityManagerFactory.class))
				.persist(order);
			return order;
		});
	}

	private static TransactionTemplate transaction(AssertableWebApplicationContext context) {
		return context.getBean(TransactionTemplate.class);
	}

	private static List<String> channels(RecordingLog log) {
		return log.appended.stream()
			.map(LoggedNotification::message)
			.map((message) -> message.channel().toString())
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	@EntityScan(basePackageClasses = OrderLine.class)
	@EnableJpaRepositories(basePackageClasses = OrderLine.class)
	@Import(RecordingLogConfiguration.class)
	static class OrdersConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@AutoConfigurationPackage(basePackageClasses = OrderLine.class)
	@Import(RecordingLogConfiguration.class)
	static class DeferredOrdersConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnRegistrarConfiguration {

		@org.springframework.context.annotation.Bean
		static EntityChangeListenerRegistrar ownRegistrar(ObjectProvider<Notifier> notifier) {
			return new EntityChangeListenerRegistrar(notifier);
		}

	}

}
