/**
 * Long-running jobs that report progress as {@code Job/<id>/progress} and finish with
 * {@code Job/<id>/done}.
 */
@NullMarked
package io.notifylisten.sample.job;

import org.jspecify.annotations.NullMarked;
