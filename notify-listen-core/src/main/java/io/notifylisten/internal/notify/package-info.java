/**
 * The notifier behind {@link io.notifylisten.notify.Notifier}: naming, targeting and the
 * payload limit, sending once the surrounding transaction commits, and progress updates
 * coalesced.
 */
@NullMarked
package io.notifylisten.internal.notify;

import org.jspecify.annotations.NullMarked;
