/**
 * Finding {@code @NotifyListen} methods on beans at startup and invoking one per
 * listening connection, as that connection's user, with arguments resolved from the
 * notification.
 */
@NullMarked
package io.notifylisten.internal.listen;

import org.jspecify.annotations.NullMarked;
