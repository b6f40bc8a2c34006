/**
 * Who may listen to what: entity access rules, subscription signatures and the STOMP checks that
 * enforce them. Everything here fails closed: no rule, no listening.
 */
@NullMarked
package io.notifylisten.security;

import org.jspecify.annotations.NullMarked;
