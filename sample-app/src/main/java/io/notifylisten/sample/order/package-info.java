/**
 * Orders: the entity, saving it (which notifies {@code Order/<id>/refresh}) and the
 * {@code @NotifyListen} handler that reloads the committed order for each listening user.
 */
@NullMarked
package io.notifylisten.sample.order;

import org.jspecify.annotations.NullMarked;
