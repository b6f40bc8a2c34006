/**
 * How names become STOMP destinations and back (channels, presence, users' topics,
 * notices), and the connection ids that subscription signatures are bound to.
 */
@NullMarked
package io.notifylisten.internal.channel;

import org.jspecify.annotations.NullMarked;
