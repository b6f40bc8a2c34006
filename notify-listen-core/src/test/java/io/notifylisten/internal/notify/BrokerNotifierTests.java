package io.notifylisten.internal.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.channel.InvalidChannelException;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.internal.log.InMemoryNotificationLog;
import io.notifylisten.internal.log.LocalDelivery;
import io.notifylisten.internal.security.SubscriptionSigner;
import io.notifylisten.notify.ListenPosition;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationFailedException;
import io.notifylisten.notify.NotificationLog;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.notify.PayloadTooLargeException;
import io.notifylisten.notify.Progress;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageDeliveryException;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class BrokerNotifierTests {

	private static final Instant NOW = Instant.parse("2026-11-23T10:15:30Z");

	private final List<Message<?>> sent = new CopyOnWriteArrayList<>();

	private final SubscriptionSigner signer = new SubscriptionSigner("shop", "0123456789abcdef0123456789abcdef");

	private final BrokerNotifier notifier;

	BrokerNotifierTests() {
		this.notifier = notifier(BrokerNotifier.Options.NONE);
	}

	private BrokerNotifier notifier(BrokerNotifier.Options options) {
		ExecutorSubscribableChannel brokerChannel = new ExecutorSubscribableChannel();
		brokerChannel.subscribe(this.sent::add);
		return new BrokerNotifier(inMemoryLog(brokerChannel), new ChannelDestinations("shop"), this::userTopic,
				Clock.fixed(NOW, ZoneOffset.UTC), options);
	}

	private String userTopic(String username) {
		return new ChannelDestinations("shop").userTopic(this.signer.userToken(username));
	}

	@AfterEach
	void clear() {
		SecurityContextHolder.clearContext();
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.clearSynchronization();
		}
		// What a test left bound by simulating a transaction without completing it.
		List.copyOf(TransactionSynchronizationManager.getResourceMap().keySet())
			.forEach(TransactionSynchronizationManager::unbindResource);
	}

	private static void commit() {
		List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
		TransactionSynchronizationUtils.invokeAfterCommit(synchronizations);
		TransactionSynchronizationUtils.invokeAfterCompletion(synchronizations,
				TransactionSynchronization.STATUS_COMMITTED);
	}

	@Test
	void sendsAtOnceOutsideATransaction() {
		this.notifier.notify("Order", 42, "refresh", Map.of("status", "paid"));

		assertThat(this.sent).hasSize(1);
		Message<?> message = this.sent.get(0);
		assertThat(SimpMessageHeaderAccessor.getDestination(message.getHeaders()))
			.isEqualTo("/topic/shop.Order.42.refresh");
		assertThat(message.getPayload())
			.isEqualTo(new NotifyMessage("Order", "42", "refresh", NOW, "system", Map.of("status", "paid")));
	}

	@Test
	void stampsTheLoggedInUser() {
		SecurityContextHolder.getContext()
			.setAuthentication(new TestingAuthenticationToken("alice", "n/a", "NOTIFY_LISTEN_USER"));
		this.notifier.notify("Order", 42, "refresh");

		assertThat(((NotifyMessage) this.sent.get(0).getPayload()).notifiedBy()).isEqualTo("alice");
	}

	@Test
	void waitsForCommitAndDropsOnRollback() {
		TransactionSynchronizationManager.initSynchronization();
		this.notifier.notify("Order", 1, "refresh");
		assertThat(this.sent).as("nothing before commit").isEmpty();
		List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
		TransactionSynchronizationUtils.invokeAfterCompletion(synchronizations,
				TransactionSynchronization.STATUS_ROLLED_BACK);
		assertThat(this.sent).as("nothing after rollback").isEmpty();

		this.notifier.notify("Order", 2, "refresh");
		TransactionSynchronizationUtils
			.invokeAfterCommit(TransactionSynchronizationManager.getSynchronizations().subList(1, 2));
		assertThat(this.sent).hasSize(1);
		assertThat(((NotifyMessage) this.sent.get(0).getPayload()).id()).isEqualTo("2");
	}

	@Test
	void notifiesEachIdInTheOrderGiven() {
		this.notifier.notifyEach("Order", List.of(3, 1, 2), "refresh");

		assertThat(this.sent).extracting((message) -> SimpMessageHeaderAccessor.getDestination(message.getHeaders()))
			.containsExactly("/topic/shop.Order.3.refresh", "/topic/shop.Order.1.refresh",
					"/topic/shop.Order.2.refresh");
	}

	@Test
	void checksEveryIdBeforeNotifyingAny() {
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> this.notifier.notifyEach("Order", List.of(1, "*", 3), "refresh"));
		assertThat(this.sent).isEmpty();
	}

	@Test
	void notifiesEachEntityObjectInTheOrderGiven() {
		this.notifier.notifyEach(List.of(new Invoice(7L), new Invoice(8L)), "paid");

		assertThat(this.sent).extracting((message) -> SimpMessageHeaderAccessor.getDestination(message.getHeaders()))
			.containsExactly("/topic/shop.Bill.7.paid", "/topic/shop.Bill.8.paid");
	}

	@Test
	void sendsWhatATransactionNotifiedTogetherAfterCommitInOrder() {
		List<List<String>> appended = new CopyOnWriteArrayList<>();
		BrokerNotifier notifier = notifierRecordingAppends(appended);
		TransactionSynchronizationManager.initSynchronization();
		notifier.notify("Order", 1, "refresh");
		notifier.notifyEach("Order", List.of(2, 3), "refresh");
		notifier.notify("Order", 4, "refresh");
		assertThat(appended).as("nothing before commit").isEmpty();

		commit();

		assertThat(appended).containsExactly(List.of("1", "2", "3", "4"));
	}

	@Test
	void anInnerTransactionOfItsOwnSendsAtItsCommitUnderARealTransactionManager() {
		List<List<String>> appended = new CopyOnWriteArrayList<>();
		BrokerNotifier notifier = notifierRecordingAppends(appended);
		TransactionTemplate outer = new TransactionTemplate(new NoResourceTransactionManager());
		TransactionTemplate inner = new TransactionTemplate(new NoResourceTransactionManager());
		inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

		outer.executeWithoutResult((status) -> {
			notifier.notify("Order", 1, "refresh");
			inner.executeWithoutResult((innerStatus) -> notifier.notify("Order", 2, "refresh"));
			assertThat(appended).as("the inner transaction's, at its commit").containsExactly(List.of("2"));
			notifier.notify("Order", 3, "refresh");
		});

		assertThat(appended).containsExactly(List.of("2"), List.of("1", "3"));
	}

	// An application's own synchronization notifying in afterCommit: the transaction has
	// committed, its synchronizations are still active.
	@Test
	void sendsWhatIsNotifiedFromAnotherSynchronizationAfterCommit() {
		List<List<String>> appended = new CopyOnWriteArrayList<>();
		BrokerNotifier notifier = notifierRecordingAppends(appended);
		TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());

		transaction.executeWithoutResult((status) -> TransactionSynchronizationManager
			.registerSynchronization(notifyingAfterCommit(notifier, 1)));
		transaction.executeWithoutResult((status) -> {
			notifier.notify("Order", 2, "refresh");
			TransactionSynchronizationManager.registerSynchronization(notifyingAfterCommit(notifier, 3));
		});
		transaction.executeWithoutResult((status) -> {
			TransactionSynchronizationManager.registerSynchronization(notifyingAfterCommit(notifier, 4));
			notifier.notify("Order", 5, "refresh");
		});

		assertThat(appended.stream().flatMap(List::stream)).containsExactly("1", "2", "3", "5", "4");
	}

	@Test
	void dropsWhatARolledBackTransactionNotifiedAndKeepsNothingForTheNext() {
		List<List<String>> appended = new CopyOnWriteArrayList<>();
		BrokerNotifier notifier = notifierRecordingAppends(appended);
		TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactionManager());

		transaction.executeWithoutResult((status) -> {
			notifier.notify("Order", 1, "refresh");
			status.setRollbackOnly();
		});
		transaction.executeWithoutResult((status) -> {
			notifier.notify("Order", 2, "refresh");
			assertThat(appended).as("nothing before commit").isEmpty();
		});

		assertThat(appended).containsExactly(List.of("2"));
	}

	private static TransactionSynchronization notifyingAfterCommit(BrokerNotifier notifier, int id) {
		return new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				notifier.notify("Order", id, "refresh");
			}
		};
	}

	// Records the ids of each call to the log, one list per call.
	private BrokerNotifier notifierRecordingAppends(List<List<String>> appended) {
		NotificationLog log = new NotificationLog() {
			@Override
			public void append(LoggedNotification notification) {
				appendAll(List.of(notification));
			}

			@Override
			public void appendAll(List<LoggedNotification> notifications) {
				appended.add(notifications.stream().map((notification) -> notification.message().id()).toList());
			}
		};
		return new BrokerNotifier(log, new ChannelDestinations("shop"), this::userTopic,
				Clock.fixed(NOW, ZoneOffset.UTC));
	}

	@Test
	void refusesInvalidNamesBeforeSendingAnything() {
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> this.notifier.notify("Order", "*", "refresh"));
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> this.notifier.notify("Order", "1.2", "refresh"));
		assertThat(this.sent).isEmpty();
	}

	@Test
	void sendsUserMessagesToThatUsersOwnTopic() {
		this.notifier.notifyUser("alice", "Order", 42, "assigned", Map.of());
		this.notifier.notifyUser("bob", "Order", 42, "assigned", Map.of());

		String toAlice = SimpMessageHeaderAccessor.getDestination(this.sent.get(0).getHeaders());
		String toBob = SimpMessageHeaderAccessor.getDestination(this.sent.get(1).getHeaders());
		assertThat(toAlice).isEqualTo("/topic/shop.u." + this.signer.userToken("alice"))
			.matches("/topic/shop\\.u\\.[0-9a-f]{32}");
		assertThat(toBob).isNotEqualTo(toAlice);
	}

	@Test
	void reportsABrokerThatCannotTakeTheMessage() {
		ExecutorSubscribableChannel down = new ExecutorSubscribableChannel();
		down.subscribe((message) -> {
			throw new MessageDeliveryException(message, "Message broker not active");
		});
		BrokerNotifier notifier = new BrokerNotifier(inMemoryLog(down), new ChannelDestinations("shop"),
				this::userTopic, Clock.systemUTC());
		assertThatExceptionOfType(NotificationFailedException.class)
			.isThrownBy(() -> notifier.notify("Order", 42, "refresh"))
			.withMessageStartingWith("Notification Order/42/refresh was not sent: ");
	}

	@Test
	void refusesPayloadsLargerThanTheLimitBeforeSendingAnything() {
		BrokerNotifier notifier = notifier(
				BrokerNotifier.Options.NONE.withMaxPayloadSize(64, tools.jackson.databind.json.JsonMapper.shared()));
		notifier.notify("Order", 1, "refresh", Map.of("status", "paid"));
		assertThatExceptionOfType(PayloadTooLargeException.class)
			.isThrownBy(() -> notifier.notify("Order", 1, "refresh", Map.of("notes", "x".repeat(100))))
			.withMessageContaining("Payload of Order/1/refresh is 112 bytes; the limit is 64")
			.withMessageContaining("notify-listen.payload.max-size");
		assertThat(this.sent).hasSize(1);
	}

	@Test
	void progressLeavesAtOnceEvenInsideATransaction() {
		org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler scheduler = new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler();
		scheduler.initialize();
		try {
			BrokerNotifier notifier = notifier(
					BrokerNotifier.Options.NONE.withProgressCoalescing(scheduler, java.time.Duration.ofMillis(100)));
			TransactionSynchronizationManager.initSynchronization();
			Progress progress = notifier.progress("Job", 7);
			progress.update(50, "half way");
			progress.done("finished");
			assertThat(this.sent)
				.extracting((message) -> SimpMessageHeaderAccessor.getDestination(message.getHeaders()))
				.containsExactly("/topic/shop.Job.7.progress", "/topic/shop.Job.7.done");
		}
		finally {
			scheduler.shutdown();
		}
	}

	private static NotificationLog inMemoryLog(ExecutorSubscribableChannel brokerChannel) {
		SimpMessagingTemplate template = new SimpMessagingTemplate(brokerChannel);
		return new InMemoryNotificationLog(new LocalDelivery(() -> template, new ChannelDestinations("shop"), null),
				Clock.systemUTC());
	}

	@Test
	void givesThePositionOfTheLogBeforeAndAfterANotification() {
		ChannelHistory history = new ChannelHistory("e1", 10, Duration.ofMinutes(1), 100, Clock.systemUTC());
		SimpMessagingTemplate template = new SimpMessagingTemplate(new ExecutorSubscribableChannel());
		BrokerNotifier notifier = new BrokerNotifier(
				new InMemoryNotificationLog(new LocalDelivery(() -> template, new ChannelDestinations("shop"), history),
						Clock.systemUTC()),
				new ChannelDestinations("shop"), this::userTopic, Clock.fixed(NOW, ZoneOffset.UTC),
				BrokerNotifier.Options.NONE.withPositions(history::position));

		assertThat(notifier.positionOf("Order", 42)).hasToString("e1:0");
		notifier.notify("Order", 42, "refresh");
		assertThat(notifier.positionOf("Order", 42)).isEqualTo(new ListenPosition("e1", 1));
	}

	@Test
	void refusesAPositionWithoutTheHistoryNamingTheProperty() {
		assertThatIllegalStateException().isThrownBy(() -> this.notifier.positionOf("Order", 42))
			.withMessageContaining("notify-listen.history.enabled");
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> this.notifier.positionOf("Order", "4/2"));
	}

	@Test
	void notifiesByEntityObject() {
		this.notifier.notify(new Invoice(7L), "paid");
		assertThat(SimpMessageHeaderAccessor.getDestination(this.sent.get(0).getHeaders()))
			.isEqualTo("/topic/shop.Bill.7.paid");
	}

	@Entity(name = "Bill")
	static class Invoice {

		@Id
		private Long id;

		Invoice(Long id) {
			this.id = id;
		}

	}

	/**
	 * Transactions with no resource of their own: what is tested is what the
	 * synchronizations do around them.
	 */
	static final class NoResourceTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		// So that REQUIRES_NEW suspends the outer transaction rather than joining it.
		@Override
		protected boolean isExistingTransaction(Object transaction) {
			return TransactionSynchronizationManager.isActualTransactionActive();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
		}

		@Override
		protected Object doSuspend(Object transaction) {
			return transaction;
		}

		@Override
		protected void doResume(@Nullable Object transaction, Object suspendedResources) {
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
