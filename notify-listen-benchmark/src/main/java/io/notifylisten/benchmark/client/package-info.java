/**
 * The load generator: thousands of STOMP-over-WebSocket listeners on the JDK's
 * asynchronous WebSocket client, and the recorder of what they received.
 */
@NullMarked
package io.notifylisten.benchmark.client;

import org.jspecify.annotations.NullMarked;
