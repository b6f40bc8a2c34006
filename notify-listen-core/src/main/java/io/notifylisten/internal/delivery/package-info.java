/**
 * Whether a connection gets a message now and in what form (a {@code @NotifyListen}
 * handler's result), decided in one place for every route a message takes, and what
 * became of it.
 */
@NullMarked
package io.notifylisten.internal.delivery;

import org.jspecify.annotations.NullMarked;
