/**
 * Who may read which entity: the rules or policy an application declares, which every
 * subscription and every delivery is checked against. No rule, no listening.
 */
@NullMarked
package io.notifylisten.security;

import org.jspecify.annotations.NullMarked;
