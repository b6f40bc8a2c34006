/**
 * {@code @NotifyListen} handler methods: found on beans at startup, invoked per listening
 * connection as that connection's user, with arguments resolved from the notification.
 */
@NullMarked
package io.notifylisten.listen;

import org.jspecify.annotations.NullMarked;
