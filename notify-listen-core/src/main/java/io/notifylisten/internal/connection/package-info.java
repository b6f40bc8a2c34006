/**
 * Who is listening: one entry per STOMP connection, with the user it was opened by and
 * the connection id that subscription signatures are bound to.
 */
@NullMarked
package io.notifylisten.internal.connection;

import org.jspecify.annotations.NullMarked;
