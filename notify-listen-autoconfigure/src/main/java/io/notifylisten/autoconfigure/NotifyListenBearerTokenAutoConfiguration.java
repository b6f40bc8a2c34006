package io.notifylisten.autoconfigure;

import java.time.Clock;

import io.notifylisten.internal.security.BearerTokenAuthenticator;
import io.notifylisten.internal.security.JwtBearerTokenAuthenticator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of bearer tokens on STOMP CONNECT for an application on Spring
 * Security's OAuth2 Resource Server with JWTs: checked with its {@link JwtDecoder}, and
 * mapped to a user with its {@link JwtAuthenticationConverter} if it has one, as its HTTP
 * requests are.
 */
// After Spring Boot's resource server, whose JwtDecoder (from spring.security.oauth2.*)
// checks the tokens on CONNECT too.
@AutoConfiguration(after = NotifyListenAutoConfiguration.class,
		afterName = "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration")
@ConditionalOnClass({ JwtDecoder.class, JwtAuthenticationConverter.class })
@ConditionalOnBean({ NotifyListenProperties.class, JwtDecoder.class })
public final class NotifyListenBearerTokenAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BearerTokenAuthenticator notifyListenBearerTokenAuthenticator(JwtDecoder decoder,
			ObjectProvider<JwtAuthenticationConverter> converter) {
		return new JwtBearerTokenAuthenticator(decoder, converter.getIfAvailable(), Clock.systemUTC());
	}

}
