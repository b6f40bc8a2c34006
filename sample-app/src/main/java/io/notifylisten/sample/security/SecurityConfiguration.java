package io.notifylisten.sample.security;

import java.util.List;

import io.notifylisten.autoconfigure.NotifyListenProperties;
import io.notifylisten.notify.Notifier;
import io.notifylisten.sample.broadcast.BannerNotice;
import io.notifylisten.sample.chat.ChatLineView;
import io.notifylisten.sample.order.OrderChange;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.Actions;
import io.notifylisten.security.EntityAccessRules.EntityRule;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Form login for the three demo users, remember-me so a server restart does not log the
 * pages out, CORS for the single-page app, and the entity rules that say who may listen
 * to what. Under the profile {@code bearer} the chain and its CORS are left out for one
 * that takes bearer tokens instead of the session cookie (the tests'
 * {@code BearerTokenConfiguration}); the users and the rules stay.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	@Bean
	@Profile("!bearer")
	SecurityFilterChain securityFilterChain(HttpSecurity http, UserDetailsService users,
			@Value("${sample.remember-me.key}") String rememberMeKey) throws Exception {
		http.authorizeHttpRequests((requests) -> requests
			.requestMatchers("/css/**", "/js/**", "/favicon.ico", "/error", "/notify-listen/notify-listen.js")
			.permitAll()
			// The single-page app's first request: the token its login form's POST
			// must carry.
			.requestMatchers(HttpMethod.GET, "/api/csrf")
			.permitAll()
			// notify-listen checks these itself and answers with a reason a page can show
			// ("Login required"), where the HTTP layer would only redirect to the login
			// page.
			.requestMatchers("/rest/pusher/key", "/rest/pusher/auth", "/notify-listen/ws/**")
			.permitAll()
			.requestMatchers("/admin")
			.hasRole("ADMIN")
			.requestMatchers(HttpMethod.POST, "/api/broadcast")
			.hasRole("ADMIN")
			.anyRequest()
			.authenticated())
			// Answers the preflights of the single-page app's API calls before the
			// login check: a preflight carries no cookie.
			.cors(Customizer.withDefaults())
			.formLogin(Customizer.withDefaults())
			// The HTTP session dies with the server; the signed cookie logs the browser
			// back in on its next request, which is how an open page reconnects after a
			// restart without a login. A demo always remembers; a real application would
			// leave it to the checkbox.
			.rememberMe((rememberMe) -> rememberMe.key(rememberMeKey).alwaysRemember(true).userDetailsService(users))
			// Scripts calling the API want a status they can act on, not the login page's
			// HTML.
			.exceptionHandling((exceptions) -> exceptions.defaultAuthenticationEntryPointFor(
					new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
					PathPatternRequestMatcher.pathPattern("/api/**")));
		return http.build();
	}

	/**
	 * The application's own CORS, for the single-page app (sample-spa) on another origin
	 * of the same site: the origins notify-listen already trusts may call the API, log in
	 * and out with the session cookie, and send the header that lets
	 * {@link Notifier#ORIGIN_CONNECTION_HEADER toOthers()} skip their own page.
	 * notify-listen answers the CORS of its own paths itself.
	 */
	@Bean
	@Profile("!bearer")
	CorsConfigurationSource corsConfigurationSource(NotifyListenProperties notifyListen) {
		CorsConfiguration spa = new CorsConfiguration();
		spa.setAllowedOriginPatterns(notifyListen.getAllowedOrigins());
		spa.setAllowedMethods(List.of("GET", "POST", "PUT"));
		spa.setAllowedHeaders(List.of("Content-Type", "X-CSRF-TOKEN", Notifier.ORIGIN_CONNECTION_HEADER));
		spa.setAllowCredentials(true);
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		for (String path : List.of("/api/**", "/login", "/logout")) {
			source.registerCorsConfiguration(path, spa);
		}
		return source;
	}

	@Bean
	UserDetailsService users() {
		// A fixed hash, in the encoder's current format: a '{noop}' password would be
		// upgraded to a freshly salted hash at the first login, and the remember-me
		// signature, which covers the stored password, would no longer match after a
		// restart.
		String password = DemoUsers.PASSWORD_HASH;
		return new InMemoryUserDetailsManager(
				User.withUsername(DemoUsers.ALICE)
					.password(password)
					.authorities("NOTIFY_LISTEN_USER", "ROLE_ADMIN")
					.build(),
				User.withUsername(DemoUsers.BOB).password(password).authorities("NOTIFY_LISTEN_USER").build(),
				User.withUsername(DemoUsers.CAROL).password(password).authorities("ORDER_CLERK").build());
	}

	@Bean
	EntityAccessRules entityAccessRules() {
		String secretOrder = String.valueOf(DemoUsers.SECRET_ORDER);
		return EntityAccessRules.builder()
			.entity("Order", (user, id) -> !(user.getName().equals(DemoUsers.BOB) && id.equals(secretOrder)),
					(actions) -> actions.action("refresh", OrderChange.class))
			.entity("ChatRoom", EntityRule.anyListener(), (actions) -> actions.action("message", ChatLineView.class))
			.entity("Job", EntityRule.anyListener(), Actions::progress)
			.entity("Broadcast", EntityRule.anyListener(), (actions) -> actions.action("banner", BannerNotice.class))
			.build();
	}

}
