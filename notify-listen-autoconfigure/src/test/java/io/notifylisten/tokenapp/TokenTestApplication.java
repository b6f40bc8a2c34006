package io.notifylisten.tokenapp;

import java.time.Duration;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import io.notifylisten.security.EntityAccessRules;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application on Spring Security's OAuth2 Resource Server, as a single-page app's API
 * often is: bearer JWTs signed by a local RSA key ({@link Tokens}), no HTTP session, the
 * listen role from the token's {@code roles} claim, and the starter with properties only.
 */
@SpringBootApplication
public class TokenTestApplication {

	/** Listens to every order but 3. */
	public static final String BOB = "bob";

	/** The order bob may not read. */
	public static final long SECRET_ORDER = 3;

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, JwtAuthenticationConverter converter) throws Exception {
		// The WebSocket endpoint is open: a browser cannot send the token on the
		// handshake, it comes with CONNECT. No csrf() setting: the resource server
		// leaves requests with a bearer token out of it.
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/rest/pusher/key", "/notify-listen/ws/**")
			.permitAll()
			.anyRequest()
			.authenticated())
			.oauth2ResourceServer((server) -> server.jwt((jwt) -> jwt.jwtAuthenticationConverter(converter)))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	JwtDecoder jwtDecoder() throws JOSEException {
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey(Tokens.KEY.toRSAPublicKey()).build();
		// No clock skew, so that tokens living for seconds expire when they say.
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(Duration.ZERO),
				new JwtIssuerValidator(Tokens.ISSUER), new JwtClaimValidator<List<String>>("aud",
						(audience) -> audience != null && audience.contains(Tokens.AUDIENCE))));
		return decoder;
	}

	@Bean
	JwtAuthenticationConverter jwtAuthenticationConverter() {
		JwtGrantedAuthoritiesConverter roles = new JwtGrantedAuthoritiesConverter();
		roles.setAuthoritiesClaimName("roles");
		roles.setAuthorityPrefix("");
		JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
		converter.setJwtGrantedAuthoritiesConverter(roles);
		return converter;
	}

	@Bean
	EntityAccessRules entityAccessRules() {
		return EntityAccessRules.builder()
			.entity("Order", (user, id) -> !(user.getName().equals(BOB) && id.equals(String.valueOf(SECRET_ORDER))))
			.build();
	}

}
