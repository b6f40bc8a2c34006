/**
 * Presence: who is looking at an object now, on every node, as members (users, not connections)
 * that join and leave.
 */
@NullMarked
package io.notifylisten.presence;

import org.jspecify.annotations.NullMarked;
