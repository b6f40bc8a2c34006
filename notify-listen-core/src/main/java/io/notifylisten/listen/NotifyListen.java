package io.notifylisten.listen;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a method that runs when a notification for {@code entity/<any id>/action} reaches
 * a listening connection. It runs once per connection, as that connection's user (the
 * security context is set), after the entity access policy has allowed that user to read
 * the entity; its return value goes to that connection only, as the {@code result} of the
 * message.
 *
 * <p>
 * Parameters may be the {@link io.notifylisten.notify.NotifyMessage}, the user
 * ({@link java.security.Principal} or
 * {@link org.springframework.security.core.Authentication}), an
 * {@link EntityId @EntityId}, a {@link PayloadValue @PayloadValue}, or the entity itself,
 * loaded by id through its Spring Data repository.
 *
 * <pre class="code">
 * &#64;NotifyListen(entity = "Order", action = "refresh")
 * OrderView refresh(Order order) {
 *     return OrderView.of(order);
 * }
 * </pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(NotifyListenReflectiveProcessor.class)
public @interface NotifyListen {

	/**
	 * Entity name, as in channel names.
	 * @return the entity
	 */
	String entity();

	/**
	 * Action name, as in channel names.
	 * @return the action
	 */
	String action();

}
