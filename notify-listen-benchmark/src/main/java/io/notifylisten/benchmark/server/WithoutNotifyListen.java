package io.notifylisten.benchmark.server;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * {@link SpringBootApplication @SpringBootApplication} for the servers that notify-listen
 * is measured against: notify-listen and Spring Security share this module's class path,
 * and those servers have neither.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootApplication(excludeName = { "io.notifylisten.autoconfigure.NotifyListenAutoConfiguration",
		"io.notifylisten.autoconfigure.NotifyListenHandlerAutoConfiguration",
		"io.notifylisten.autoconfigure.NotifyListenWebSocketAutoConfiguration",
		"io.notifylisten.autoconfigure.NotifyListenWebMvcAutoConfiguration",
		"io.notifylisten.autoconfigure.NotifyListenHealthAutoConfiguration",
		"io.notifylisten.autoconfigure.NotifyListenMetricsAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration" })
public @interface WithoutNotifyListen {

}
