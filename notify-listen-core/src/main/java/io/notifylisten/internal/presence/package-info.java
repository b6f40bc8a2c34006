/**
 * Presence on every node: this node's members from SUBSCRIBE and DISCONNECT, every node's
 * from the notification log, sent to the pages that subscribed to an object's presence.
 */
@NullMarked
package io.notifylisten.internal.presence;

import org.jspecify.annotations.NullMarked;
