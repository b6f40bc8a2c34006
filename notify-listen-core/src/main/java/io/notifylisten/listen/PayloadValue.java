package io.notifylisten.listen;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@link NotifyListen @NotifyListen} parameter to one value of the message
 * payload, converted to the parameter's type; {@code null} when the payload has no such
 * value.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PayloadValue {

	/**
	 * Name of the payload value.
	 * @return the name
	 */
	String value();

}
