/**
 * Presence: who is looking at an object now, on every node, as members (users, not
 * connections) that join and leave; what a member shows, and the events of joins and
 * leaves.
 */
@NullMarked
package io.notifylisten.presence;

import org.jspecify.annotations.NullMarked;
