package io.notifylisten.internal.history;

import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs to write a notification and the recovery frame as JSON, and
 * to read a notification back: Jackson reaches both records' components by reflection.
 */
class HistoryRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), NotifyMessage.class,
				ChannelHistory.Recovery.class);
	}

}
