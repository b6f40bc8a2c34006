/**
 * notify-listen's own workings, which its auto-configuration wires: not an API. Types
 * here may change in any version; an application uses the types of the other packages.
 */
@NullMarked
package io.notifylisten.internal;

import org.jspecify.annotations.NullMarked;
