package io.notifylisten.sample;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.notifylisten.autoconfigure.NotifyListenProperties;
import io.notifylisten.notify.Notifier;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * The sample's API on Spring Security's OAuth2 Resource Server, with the profile
 * {@code bearer} (which leaves out the sample's own chain): bearer JWTs signed by a key
 * made at startup, no HTTP session, the listen role from the token's {@code roles} claim;
 * and {@link TokenController POST /test-token}, which stands in for the identity provider
 * a single-page app would get its tokens from.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import(BearerTokenConfiguration.TokenController.class)
class BearerTokenConfiguration {

	static final String ISSUER = "http://127.0.0.1/sample-login";

	static final String AUDIENCE = "sample-orders-api";

	private final KeyPair key = rsaKey();

	@Bean
	SecurityFilterChain bearerSecurityFilterChain(HttpSecurity http, JwtAuthenticationConverter converter)
			throws Exception {
		http.authorizeHttpRequests((requests) -> requests
			// A browser cannot send the token on the WebSocket handshake: it comes with
			// CONNECT. The others answer a missing token with a reason a page can show.
			.requestMatchers("/rest/pusher/key", "/rest/pusher/auth", "/notify-listen/ws/**", "/error")
			.permitAll()
			.requestMatchers(HttpMethod.POST, TokenController.PATH)
			.permitAll()
			.anyRequest()
			.authenticated())
			// Preflights carry no token.
			.cors(Customizer.withDefaults())
			// No cookie authenticates anything, so there is nothing to forge.
			.csrf(AbstractHttpConfigurer::disable)
			.oauth2ResourceServer((server) -> server.jwt((jwt) -> jwt.jwtAuthenticationConverter(converter)))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	/**
	 * The app's origins may call the API and the token endpoint with a token, and send
	 * the header that lets {@link Notifier#ORIGIN_CONNECTION_HEADER toOthers()} skip
	 * their own page; without credentials, since no cookie is wanted.
	 */
	@Bean
	CorsConfigurationSource corsConfigurationSource(NotifyListenProperties notifyListen) {
		CorsConfiguration spa = new CorsConfiguration();
		spa.setAllowedOriginPatterns(notifyListen.getAllowedOrigins());
		spa.setAllowedMethods(List.of("GET", "POST", "PUT"));
		spa.setAllowedHeaders(List.of("Authorization", "Content-Type", Notifier.ORIGIN_CONNECTION_HEADER));
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		for (String path : List.of("/api/**", TokenController.PATH)) {
			source.registerCorsConfiguration(path, spa);
		}
		return source;
	}

	@Bean
	JwtDecoder jwtDecoder() {
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey((RSAPublicKey) this.key.getPublic()).build();
		// No clock skew, so that tokens living for seconds expire when they say.
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(Duration.ZERO),
				new JwtIssuerValidator(ISSUER), new JwtAudienceValidator(AUDIENCE)));
		return decoder;
	}

	@Bean
	JwtEncoder jwtEncoder() {
		return NimbusJwtEncoder.withKeyPair((RSAPublicKey) this.key.getPublic(), (RSAPrivateKey) this.key.getPrivate())
			.build();
	}

	/**
	 * The sample's authorities (NOTIFY_LISTEN_USER, ROLE_ADMIN) as they are in the token.
	 */
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
	HttpSessions httpSessions() {
		return new HttpSessions();
	}

	private static KeyPair rsaKey() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * {@code POST /test-token}: a token for one of the sample's users, given the user
	 * name and password as form fields, or given a token that is still valid (a renewal);
	 * the answer is OAuth2's, {@code {access_token, token_type, expires_in}}. Tokens live
	 * for {@code sample.test-token.lifetime}.
	 */
	@RestController
	static class TokenController {

		static final String PATH = "/test-token";

		private final PasswordEncoder passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();

		private final AtomicInteger renewals = new AtomicInteger();

		private final JwtEncoder encoder;

		private final UserDetailsService users;

		private final Duration lifetime;

		TokenController(JwtEncoder encoder, UserDetailsService users,
				@Value("${sample.test-token.lifetime:5m}") Duration lifetime) {
			this.encoder = encoder;
			this.users = users;
			this.lifetime = lifetime;
		}

		@PostMapping(PATH)
		ResponseEntity<Map<String, Object>> token(@Nullable Authentication caller,
				@RequestParam(required = false) @Nullable String username,
				@RequestParam(required = false) @Nullable String password) {
			UserDetails user;
			if (caller instanceof JwtAuthenticationToken) {
				// The user's roles as they are now, as an identity provider would.
				user = this.users.loadUserByUsername(caller.getName());
				this.renewals.incrementAndGet();
			}
			else {
				user = (username != null && password != null) ? checked(username, password) : null;
				if (user == null) {
					return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "invalid_grant"));
				}
			}
			Instant now = Instant.now();
			JwtClaimsSet claims = JwtClaimsSet.builder()
				.issuer(ISSUER)
				.audience(List.of(AUDIENCE))
				.subject(user.getUsername())
				.issuedAt(now)
				.expiresAt(now.plus(this.lifetime))
				.claim("roles", user.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList())
				.build();
			String token = this.encoder
				.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).build(), claims))
				.getTokenValue();
			return ResponseEntity
				.ok(Map.of("access_token", token, "token_type", "Bearer", "expires_in", this.lifetime.toSeconds()));
		}

		/** How many tokens were given for a token. */
		int renewals() {
			return this.renewals.get();
		}

		private @Nullable UserDetails checked(String username, String password) {
			try {
				UserDetails user = this.users.loadUserByUsername(username);
				return this.passwords.matches(password, user.getPassword()) ? user : null;
			}
			catch (UsernameNotFoundException ex) {
				return null;
			}
		}

	}

	/**
	 * Counts the HTTP sessions the application opens: none, where tokens authenticate.
	 */
	static class HttpSessions implements HttpSessionListener {

		private final AtomicInteger created = new AtomicInteger();

		@Override
		public void sessionCreated(HttpSessionEvent event) {
			this.created.incrementAndGet();
		}

		int created() {
			return this.created.get();
		}

	}

}
