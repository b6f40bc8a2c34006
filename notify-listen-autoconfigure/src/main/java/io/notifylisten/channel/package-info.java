/**
 * Channel names ({@code entity/id/action}) and the STOMP destinations they map to.
 * Validation lives here so that no other package ever sees a wildcard or a path trick.
 */
@NullMarked
package io.notifylisten.channel;

import org.jspecify.annotations.NullMarked;
