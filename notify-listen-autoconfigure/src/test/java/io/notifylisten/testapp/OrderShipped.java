package io.notifylisten.testapp;

/**
 * An order was shipped, published inside the transaction that shipped it.
 *
 * @param id the order's id
 */
public record OrderShipped(long id) {
}
