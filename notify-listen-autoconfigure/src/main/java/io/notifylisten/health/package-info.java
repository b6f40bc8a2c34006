/**
 * What notify-listen reports to Spring Boot's health endpoint: whether this node takes
 * notifications and delivers them.
 */
@NullMarked
package io.notifylisten.health;

import org.jspecify.annotations.NullMarked;
