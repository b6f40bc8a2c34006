/**
 * The baseline: a bare Spring STOMP application as one writes it by hand, with the simple
 * broker on default settings and no security.
 */
@NullMarked
package io.notifylisten.benchmark.server.baseline;

import org.jspecify.annotations.NullMarked;
