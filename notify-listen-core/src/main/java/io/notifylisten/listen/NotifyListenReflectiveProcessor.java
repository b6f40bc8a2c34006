package io.notifylisten.listen;

import java.lang.reflect.Method;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.SimpleReflectiveProcessor;

/**
 * Besides the invocation of a {@link NotifyListen @NotifyListen} method, registers what a
 * native image needs to write its return value as JSON: the page receives it as
 * {@code result}.
 */
class NotifyListenReflectiveProcessor extends SimpleReflectiveProcessor {

	private final BindingReflectionHintsRegistrar bindingRegistrar = new BindingReflectionHintsRegistrar();

	@Override
	protected void registerMethodHint(ReflectionHints hints, Method method) {
		super.registerMethodHint(hints, method);
		this.bindingRegistrar.registerReflectionHints(hints, method.getGenericReturnType());
	}

}
