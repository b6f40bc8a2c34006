/**
 * The embedded broker's subscriptions, kept by destination so that a fan-out finds a
 * channel's subscribers in one lookup, and what one fan-out computes once for all of
 * them.
 */
@NullMarked
package io.notifylisten.internal.broker;

import org.jspecify.annotations.NullMarked;
