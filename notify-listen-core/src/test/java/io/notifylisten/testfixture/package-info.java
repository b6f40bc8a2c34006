/**
 * Fixtures the tests of every module share, through notify-listen-core's test jar.
 */
@NullMarked
package io.notifylisten.testfixture;

import org.jspecify.annotations.NullMarked;
