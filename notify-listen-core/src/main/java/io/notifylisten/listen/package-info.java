/**
 * {@code @NotifyListen} and its parameter annotations: methods that run when a
 * notification for their entity and action arrives, per listening connection, as that
 * connection's user.
 */
@NullMarked
package io.notifylisten.listen;

import org.jspecify.annotations.NullMarked;
