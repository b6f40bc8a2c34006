package io.notifylisten.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * notify-listen's own thread pools and scheduler, for the WebSocket endpoint's channels,
 * the reloads of users' authorities and periodic work.
 */
@Configuration(proxyBeanMethods = false)
class NotifyListenTaskConfiguration {

	@Bean
	ThreadPoolTaskScheduler notifyListenTaskScheduler() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix("notify-listen-scheduler-");
		scheduler.setPoolSize(1);
		return scheduler;
	}

	@Bean
	@ConditionalOnMissingBean(name = "notifyListenInboundExecutor")
	ThreadPoolTaskExecutor notifyListenInboundExecutor(NotifyListenProperties properties) {
		return channelExecutor("notify-listen-inbound-", properties.getBroker().getInboundThreads());
	}

	@Bean
	@ConditionalOnMissingBean(name = "notifyListenOutboundExecutor")
	ThreadPoolTaskExecutor notifyListenOutboundExecutor(NotifyListenProperties properties) {
		return channelExecutor("notify-listen-outbound-", properties.getBroker().getOutboundThreads());
	}

	// Loads of listening users' authorities (role-recheck-interval), off the delivery
	// threads: a UserDetailsService may well query a database. Two threads: one slow load
	// does not hold up the others; a connection waits for a load at most
	// role-recheck-interval, then loads itself.
	@Bean
	@ConditionalOnMissingBean(name = "notifyListenAuthoritiesExecutor")
	ThreadPoolTaskExecutor notifyListenAuthoritiesExecutor() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadNamePrefix("notify-listen-authorities-");
		executor.setCorePoolSize(2);
		executor.setMaxPoolSize(2);
		executor.setAllowCoreThreadTimeOut(true);
		return executor;
	}

	// Like Spring's own channel pools: fixed size, unbounded queue (a message refused by
	// a full queue would be lost; slow connections are cut off by the send limits
	// instead).
	private static ThreadPoolTaskExecutor channelExecutor(String prefix, int threads) {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadNamePrefix(prefix);
		executor.setCorePoolSize(threads);
		executor.setMaxPoolSize(threads);
		executor.setAllowCoreThreadTimeOut(true);
		return executor;
	}

}
