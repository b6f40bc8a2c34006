/**
 * The chat room: lines are posted over HTTP, stored, and pushed as
 * {@code ChatRoom/lobby/message}.
 */
@NullMarked
package io.notifylisten.sample.chat;

import org.jspecify.annotations.NullMarked;
