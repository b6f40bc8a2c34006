/**
 * A runnable notify-listen sample: orders that refresh live, a chat room, a long-running
 * job and an admin banner, on embedded H2 with form login.
 */
@NullMarked
package io.notifylisten.sample;

import org.jspecify.annotations.NullMarked;
