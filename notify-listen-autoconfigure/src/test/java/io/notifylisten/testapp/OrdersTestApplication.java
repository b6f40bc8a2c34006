package io.notifylisten.testapp;

import io.notifylisten.security.EntityAccessRules;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * A small application that uses the starter as a user would: JPA orders, Spring Security
 * with three users, one entity rule and one {@code @NotifyListen} handler.
 */
@SpringBootApplication
public class OrdersTestApplication {

	/** Listens to everything. */
	public static final String ALICE = "alice";

	/** Listens, but may not read order 3. */
	public static final String BOB = "bob";

	/** Logged in, without the listen role. */
	public static final String CAROL = "carol";

	/** The order bob may not read. */
	public static final long SECRET_ORDER = 3;

	/**
	 * Run a node in a process of its own, for the tests that kill one.
	 * @param args Spring Boot's command line arguments
	 */
	public static void main(String[] args) {
		SpringApplication.run(OrdersTestApplication.class, args);
	}

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		// The WebSocket endpoint is left open on purpose: notify-listen's own STOMP
		// checks must refuse anonymous connections, not rely on the HTTP layer to. No
		// cors() either, as in an application that never heard of it: notify-listen
		// answers its own paths' preflights.
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/rest/pusher/key", "/notify-listen/ws/**")
			.permitAll()
			.anyRequest()
			.authenticated()).httpBasic(Customizer.withDefaults());
		return http.build();
	}

	@Bean
	InMemoryUserDetailsManager users() {
		return new InMemoryUserDetailsManager(
				User.withUsername(ALICE)
					.password("{noop}password")
					.authorities("NOTIFY_LISTEN_USER", "ROLE_MANAGER")
					.build(),
				User.withUsername(BOB).password("{noop}password").authorities("NOTIFY_LISTEN_USER").build(),
				User.withUsername(CAROL).password("{noop}password").authorities("ORDER_CLERK").build());
	}

	@Bean
	RevokedOrders revokedOrders() {
		return new RevokedOrders();
	}

	@Bean
	EntityAccessRules entityAccessRules(RevokedOrders revoked) {
		return EntityAccessRules.builder()
			.entity("Order",
					(user, id) -> !(user.getName().equals(BOB) && id.equals(String.valueOf(SECRET_ORDER)))
							&& !revoked.isRevoked(user.getName(), id))
			.build();
	}

	/**
	 * Orders a user was allowed to read and no longer is, as when someone is removed from
	 * a team.
	 */
	public static class RevokedOrders {

		private final java.util.Set<String> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();

		public void revoke(String username, long orderId) {
			this.revoked.add(username + "/" + orderId);
		}

		boolean isRevoked(String username, String orderId) {
			return this.revoked.contains(username + "/" + orderId);
		}

	}

}
