/**
 * The checks that enforce who may listen to what: login, role, entity access, signatures,
 * CSRF and limits on every client frame. Everything here fails closed: no rule, no
 * listening.
 */
@NullMarked
package io.notifylisten.internal.security;

import org.jspecify.annotations.NullMarked;
