package io.notifylisten.internal.notify;

import io.notifylisten.notify.ProgressUpdate;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs to send progress: every update is a {@link ProgressUpdate}
 * whose components {@code PayloadRecords} reads by reflection.
 */
class ProgressRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), ProgressUpdate.class);
	}

}
