package io.notifylisten.notify;

/**
 * The payload of {@code entity/id/progress}, {@code done} and {@code failed}, as
 * {@link Progress} sends it; declared with
 * {@link io.notifylisten.security.EntityAccessRules.Actions#progress()} so that the
 * contract types it.
 *
 * @param percent how far the work is, 0 to 100; the last known value while busy or
 * failed, 100 when done
 * @param text what is happening, for people
 * @param busy whether the work is under way without a measurable percentage
 */
public record ProgressUpdate(int percent, String text, boolean busy) {

}
