/**
 * Micrometer meters for notify-listen: open connections and subscriptions, notifications
 * sent, messages delivered to or dropped before a socket (by reason), and how long
 * delivery took.
 */
@NullMarked
package io.notifylisten.internal.metrics;

import org.jspecify.annotations.NullMarked;
