/**
 * The transactional outbox: notifications made inside a transaction are written to a
 * table in that transaction and published to the notification log after commit, by
 * whichever node is alive.
 */
@NullMarked
package io.notifylisten.internal.outbox;

import org.jspecify.annotations.NullMarked;
