package io.notifylisten.internal.outbox;

import io.notifylisten.notify.LoggedNotification;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs for the outbox: the scripts that create its table, and the
 * notifications its rows hold as JSON.
 */
class OutboxRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern("io/notifylisten/outbox/*.sql");
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), LoggedNotification.class);
	}

}
