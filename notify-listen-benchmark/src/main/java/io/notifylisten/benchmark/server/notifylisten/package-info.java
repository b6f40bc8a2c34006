/**
 * The benchmark server that uses notify-listen as an application would: HTTP Basic users,
 * one access rule, signed subscriptions and one {@code @NotifyListen} handler.
 */
@NullMarked
package io.notifylisten.benchmark.server.notifylisten;

import org.jspecify.annotations.NullMarked;
