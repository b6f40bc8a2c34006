/**
 * The message broker behind notify-listen as operations see it: whether it is up, embedded or
 * relayed to an external STOMP broker shared by every node.
 */
@NullMarked
package io.notifylisten.broker;

import org.jspecify.annotations.NullMarked;
