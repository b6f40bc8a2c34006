/**
 * The admin banner: one form notifies {@code Broadcast/all/banner}, every page shows it.
 */
@NullMarked
package io.notifylisten.sample.broadcast;

import org.jspecify.annotations.NullMarked;
