/**
 * Recovery after a reconnect: a bounded history of recent messages per channel, numbered
 * within an epoch, from which a client that comes back is sent what it missed, or told to
 * reload.
 */
@NullMarked
package io.notifylisten.internal.history;

import org.jspecify.annotations.NullMarked;
