package io.notifylisten.internal.transport;

/**
 * Marks a notify-listen interceptor on the client outbound channel or the broker channel
 * whose work the direct fan-out does as well for a channel message (through
 * {@link DeliveryCheck} and {@link DeliveryOutcomes}), so that the fan-out may stay on
 * while it is registered. An interceptor without it, the application's own, sees every
 * message only on Spring's path, and turns the direct fan-out off.
 */
public interface FanOutAware {

}
