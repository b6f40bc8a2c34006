package io.notifylisten.benchmark.server.notifylisten;

import java.time.Duration;
import java.util.Map;

import io.notifylisten.benchmark.server.BenchmarkControl;
import io.notifylisten.benchmark.server.BrokerCacheTuning;
import io.notifylisten.benchmark.server.JettyIdleTimeout;
import io.notifylisten.benchmark.server.Publisher;
import io.notifylisten.benchmark.server.TomcatBufferTuning;
import io.notifylisten.notify.Notifier;
import io.notifylisten.security.EntityAccessRules;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.SecurityFilterChain;

/**
 * notify-listen with its embedded broker (with {@code notify-listen.stream.host}, one of
 * several nodes that share a RabbitMQ stream), HTTP Basic users {@code user-0},
 * {@code user-1}, ... (password {@code password}), signed subscriptions and CSRF on
 * CONNECT, all on their defaults.
 */
@SpringBootApplication
@Import({ BenchmarkControl.class, TomcatBufferTuning.class, JettyIdleTimeout.class, BrokerCacheTuning.class })
public class NotifyListenBenchmarkServer {

	/** Prefix of every user name this server knows. */
	public static final String USER_PREFIX = "user-";

	public static void main(String[] args) {
		SpringApplication.run(NotifyListenBenchmarkServer.class, args);
	}

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
		// The control endpoints are the load generator's, on 127.0.0.1 only; they skip
		// CSRF because they are no browser's.
		http.authorizeHttpRequests(
				(requests) -> requests.requestMatchers("/rest/pusher/key", "/notify-listen/ws/**", "/bench/**")
					.permitAll()
					.anyRequest()
					.authenticated())
			.csrf((csrf) -> csrf.ignoringRequestMatchers("/bench/**"))
			.httpBasic(Customizer.withDefaults());
		return http.build();
	}

	// One user per listener, as 10,000 browsers would be; notify-listen also limits
	// connections per user. bench.user-store-delay makes each lookup take that long, as a
	// query to a user database would (notify-listen reloads listening users' authorities
	// every role-recheck-interval).
	@Bean
	UserDetailsService users(@Value("${bench.user-store-delay:0ms}") Duration delay) {
		return (username) -> {
			if (!username.startsWith(USER_PREFIX)) {
				throw new UsernameNotFoundException("Unknown user");
			}
			if (!delay.isZero()) {
				try {
					Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return User.withUsername(username).password("{noop}password").authorities("NOTIFY_LISTEN_USER").build();
		};
	}

	// Orders for the type listeners scenario: each user may read one order in ten (order
	// "o<k>" to user "user-<n>" when n + k is a multiple of ten), and every user the
	// order
	// "one".
	@Bean
	EntityAccessRules entityAccessRules() {
		return EntityAccessRules.builder()
			.entity("Item", EntityAccessRules.EntityRule.anyListener())
			.entity("Order", (user, id) -> id.equals("one") || mayReadOrder(user.getName(), id))
			.build();
	}

	static boolean mayReadOrder(String user, String id) {
		try {
			int userNumber = Integer.parseInt(user.substring(USER_PREFIX.length()));
			int order = Integer.parseInt(id.substring(1));
			return (userNumber + order) % 10 == 0;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	// bench.payload-bytes: a filler of that many characters in each notification's
	// payload, so that what waits for a slow reader adds up as a real payload's would.
	@Bean
	Publisher publisher(Notifier notifier, @Value("${bench.payload-bytes:0}") int payloadBytes) {
		Map<String, Object> payload = (payloadBytes > 0) ? Map.of("filler", "x".repeat(payloadBytes)) : Map.of();
		return (entity, id, action) -> notifier.notify(entity, id, action, payload);
	}

}
