/**
 * What both benchmark servers share: the control endpoints the load generator calls to
 * notify, and to read heap, RSS, connections and subscriptions.
 */
@NullMarked
package io.notifylisten.benchmark.server;

import org.jspecify.annotations.NullMarked;
