package io.notifylisten.sample.order;

/**
 * The payload of {@code Order/<id>/refresh}: the new status, which is no secret. The
 * amount stays out of it and reaches each page through the {@code @NotifyListen} method,
 * as that page's user.
 *
 * @param status the order's status after the change
 */
public record OrderChange(OrderStatus status) {

}
