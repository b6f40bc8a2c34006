/**
 * How messages leave for the connections: one outbox per connection, frames joined into
 * one WebSocket write, the direct fan-out of a channel's notification, and the sessions'
 * limits.
 */
@NullMarked
package io.notifylisten.internal.transport;

import org.jspecify.annotations.NullMarked;
