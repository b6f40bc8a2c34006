/**
 * Channel names ({@code entity/id/action}) as an application and its access rules see
 * them. Validation lives here so that no other package ever sees a wildcard or a path
 * trick.
 */
@NullMarked
package io.notifylisten.channel;

import org.jspecify.annotations.NullMarked;
