/**
 * Server-Sent Events, for networks where WebSocket fails: the same channels,
 * authorization and history as STOMP, each stream a pseudo-session of the broker.
 */
@NullMarked
package io.notifylisten.internal.sse;

import org.jspecify.annotations.NullMarked;
