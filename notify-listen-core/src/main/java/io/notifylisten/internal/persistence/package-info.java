/**
 * Notifications of JPA entities marked {@link io.notifylisten.notify.NotifiesChanges}:
 * Hibernate's events collect a transaction's changes, which go to the
 * {@link io.notifylisten.notify.Notifier} once Hibernate has flushed them for the commit.
 */
@NullMarked
package io.notifylisten.internal.persistence;

import org.jspecify.annotations.NullMarked;
