/**
 * Load benchmark of notify-listen against a bare Spring STOMP broker:
 * {@link BenchmarkMain} starts both servers as child JVMs, drives them with real
 * WebSocket listeners and prints one table per scenario.
 */
@NullMarked
package io.notifylisten.benchmark;

import org.jspecify.annotations.NullMarked;
