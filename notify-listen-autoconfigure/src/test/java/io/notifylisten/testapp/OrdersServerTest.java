package io.notifylisten.testapp;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.TestPropertySource;

/**
 * A test against the {@link OrdersTestApplication} on a random port: real Spring
 * Security, the real STOMP endpoint and broker, and the {@link #SECRET}. Each test class
 * names its own {@code notify-listen.key}, so that its destinations are its own even
 * where contexts are cached side by side.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = OrdersTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "notify-listen.secret=" + OrdersServerTest.SECRET)
public @interface OrdersServerTest {

	/** The secret every such test signs with. */
	String SECRET = "0123456789abcdef0123456789abcdef";

	/**
	 * Properties of this test's application, at least {@code notify-listen.key=...}.
	 * @return the properties, {@code name=value}
	 */
	@AliasFor(annotation = SpringBootTest.class, attribute = "properties")
	String[] value() default {};

}
