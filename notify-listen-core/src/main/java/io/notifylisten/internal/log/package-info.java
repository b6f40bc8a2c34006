/**
 * The notification log every notification passes through: in memory on one node, a
 * RabbitMQ stream shared by several, and the local delivery each node runs from it to its
 * own connections.
 */
@NullMarked
package io.notifylisten.internal.log;

import org.jspecify.annotations.NullMarked;
