/**
 * The bare endpoint: the servlet container's own WebSocket with no Spring messaging above
 * it, the floor that any STOMP server on that container reaches at best.
 */
@NullMarked
package io.notifylisten.benchmark.server.endpoint;

import org.jspecify.annotations.NullMarked;
