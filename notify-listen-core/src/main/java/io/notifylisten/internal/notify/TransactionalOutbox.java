package io.notifylisten.internal.notify;

import io.notifylisten.notify.LoggedNotification;

/**
 * Keeps a notification made inside a transaction with that transaction's own changes, and
 * publishes it once they are committed: a node that crashes after the commit loses
 * nothing.
 */
public interface TransactionalOutbox {

	/**
	 * Whether the current transaction is one the outbox can write in; otherwise the
	 * notifier sends after commit as it does without an outbox.
	 */
	boolean joinsCurrentTransaction();

	/**
	 * Write a notification in the current transaction, to be published after it commits.
	 * @param notification the notification
	 * @throws io.notifylisten.notify.NotificationFailedException when the database
	 * refuses it
	 */
	void store(LoggedNotification notification);

}
