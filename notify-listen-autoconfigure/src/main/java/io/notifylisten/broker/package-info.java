/**
 * The embedded message broker that fans notifications out to this node's connections, and its
 * health as operations see it, with the state of the notification log's broker.
 */
@NullMarked
package io.notifylisten.broker;

import org.jspecify.annotations.NullMarked;
