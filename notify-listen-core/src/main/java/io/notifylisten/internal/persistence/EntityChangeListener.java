package io.notifylisten.internal.persistence;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

import io.notifylisten.notify.Notifier;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.TransactionCompletionCallbacks;
import org.hibernate.event.spi.AbstractPostDatabaseOperationEvent;
import org.hibernate.event.spi.PostDeleteEvent;
import org.hibernate.event.spi.PostDeleteEventListener;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.event.spi.PostUpdateEventListener;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Hibernate's post-insert, post-update and post-delete listener: records each change to
 * an entity with a rule in its session's transaction, and hands the transaction's
 * notifications to the {@link Notifier} once Hibernate has flushed for the commit.
 *
 * <p>
 * Hibernate's events, unlike JPA's {@code @PrePersist} and {@code @PreRemove} callbacks,
 * come when the row is written, so a change that is never flushed notifies nothing.
 * Within a Spring transaction the notifications are made before the database commits, so
 * that the notifier keeps its own rules: it sends them after commit, drops them on
 * rollback, or writes them to its outbox in the same transaction. Without one (a
 * resource-local transaction the application drives itself) they are sent after Hibernate
 * reports a successful commit.
 */
final class EntityChangeListener implements PostInsertEventListener, PostUpdateEventListener, PostDeleteEventListener {

	private final EntityChangeRules rules;

	private final TransactionChanges.Entities entities;

	private final Supplier<Notifier> notifier;

	// An entry leaves when its transaction completes, committed or not; the weak keys
	// are a backstop for a session dropped in the middle of one.
	private final Map<SharedSessionContractImplementor, TransactionChanges> open = Collections
		.synchronizedMap(new WeakHashMap<>());

	EntityChangeListener(EntityChangeRules rules, TransactionChanges.Entities entities, Supplier<Notifier> notifier) {
		this.rules = rules;
		this.entities = entities;
		this.notifier = notifier;
	}

	@Override
	public void onPostInsert(PostInsertEvent event) {
		record(ChangeKind.CREATED, event);
	}

	@Override
	public void onPostUpdate(PostUpdateEvent event) {
		record(ChangeKind.UPDATED, event);
	}

	@Override
	public void onPostDelete(PostDeleteEvent event) {
		record(ChangeKind.DELETED, event);
	}

	private void record(ChangeKind kind, AbstractPostDatabaseOperationEvent event) {
		if (this.rules.ruleFor(event.getPersister().getMappedClass()) != null) {
			changesOf(event.getSession()).record(kind, event.getEntity());
		}
	}

	private TransactionChanges changesOf(SharedSessionContractImplementor session) {
		TransactionChanges changes = this.open.get(session);
		if (changes == null) {
			TransactionChanges created = new TransactionChanges(this.rules, this.entities);
			Pending pending = new Pending();
			TransactionCompletionCallbacks callbacks = session.getTransactionCompletionCallbacks();
			callbacks.registerCallback(
					(TransactionCompletionCallbacks.BeforeCompletionCallback) (s) -> beforeCommit(created, pending));
			callbacks.registerCallback((TransactionCompletionCallbacks.AfterCompletionCallback) (success,
					s) -> afterCompletion(session, success, pending));
			this.open.put(session, created);
			changes = created;
		}
		return changes;
	}

	// Runs after Hibernate's last flush, while the transaction is still open: payloads
	// and lazy parents can still be read.
	private void beforeCommit(TransactionChanges changes, Pending pending) {
		List<EntityNotification> notifications = changes.notifications();
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			Notifier notifier = this.notifier.get();
			notifications.forEach((notification) -> notification.sendWith(notifier));
		}
		else {
			pending.notifications = notifications;
		}
	}

	private void afterCompletion(SharedSessionContractImplementor session, boolean success, Pending pending) {
		this.open.remove(session);
		if (success && pending.notifications != null) {
			Notifier notifier = this.notifier.get();
			pending.notifications.forEach((notification) -> notification.sendWith(notifier));
		}
	}

	/**
	 * Notifications held until a transaction without Spring's synchronization commits.
	 */
	private static final class Pending {

		@Nullable List<EntityNotification> notifications;

	}

}
