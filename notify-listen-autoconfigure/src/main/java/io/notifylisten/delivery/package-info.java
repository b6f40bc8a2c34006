/**
 * Delivery to connections on Spring's path: whether a connection may receive a message now, in
 * what form (a {@code @NotifyListen} handler's result), and where it goes (WebSocket or SSE).
 */
@NullMarked
package io.notifylisten.delivery;

import org.jspecify.annotations.NullMarked;
