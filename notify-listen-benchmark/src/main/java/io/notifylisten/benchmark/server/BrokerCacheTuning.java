package io.notifylisten.benchmark.server;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * Optional, for the many-channels experiment only ({@code bench.cache-limit}): raises the
 * simple broker's destination cache above Spring's default of 1024 destinations. Beyond
 * it every notify to an uncached destination scans all subscriptions. Runs after every
 * other configurer; applied to both servers alike.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("bench.cache-limit")
public class BrokerCacheTuning implements WebSocketMessageBrokerConfigurer, Ordered {

	private final int cacheLimit;

	BrokerCacheTuning(@Value("${bench.cache-limit}") int cacheLimit) {
		this.cacheLimit = cacheLimit;
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		registry.setCacheLimit(this.cacheLimit);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
