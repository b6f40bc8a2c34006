/**
 * The server side: {@link io.notifylisten.notify.Notifier}, the message it sends, and the
 * log every notification passes through. Sending waits for the surrounding transaction to
 * commit, so a listener that reloads sees new data.
 */
@NullMarked
package io.notifylisten.notify;

import org.jspecify.annotations.NullMarked;
