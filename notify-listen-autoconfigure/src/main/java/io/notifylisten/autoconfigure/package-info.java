/**
 * Auto-configuration for notify-listen: properties, the STOMP endpoint and broker,
 * security interceptors, {@code @NotifyListen} processing and the HTTP endpoints. Each
 * part backs off where the application defines its own bean.
 */
@NullMarked
package io.notifylisten.autoconfigure;

import org.jspecify.annotations.NullMarked;
