package io.notifylisten.benchmark.server.baseline;

import io.notifylisten.benchmark.server.BenchmarkControl;
import io.notifylisten.benchmark.server.BrokerCacheTuning;
import io.notifylisten.benchmark.server.JettyIdleTimeout;
import io.notifylisten.benchmark.server.Publisher;
import io.notifylisten.benchmark.server.TomcatBufferTuning;
import io.notifylisten.benchmark.server.WithoutNotifyListen;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * The baseline: Spring's STOMP support as the reference guide shows it, endpoint
 * {@code /ws}, the simple broker on {@code /topic}, default settings, no security.
 * {@code bench.preserve-order=true} turns on publish order per session, as notify-listen
 * does, for the experiment that isolates its cost. It sends the same JSON message
 * notify-listen sends, through the same converter.
 */
@WithoutNotifyListen
@EnableWebSocketMessageBroker
@Import({ BenchmarkControl.class, TomcatBufferTuning.class, JettyIdleTimeout.class, BrokerCacheTuning.class })
public class BaselineBenchmarkServer implements WebSocketMessageBrokerConfigurer {

	/** The STOMP endpoint. */
	public static final String ENDPOINT = "/ws";

	private final boolean preserveOrder;

	BaselineBenchmarkServer(@Value("${bench.preserve-order:false}") boolean preserveOrder) {
		this.preserveOrder = preserveOrder;
	}

	public static void main(String[] args) {
		SpringApplication.run(BaselineBenchmarkServer.class, args);
	}

	@Override
	public void registerStompEndpoints(StompEndpointRegistry registry) {
		registry.addEndpoint(ENDPOINT);
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		// Off by default, as in Spring; on only to measure what notify-listen's ordering
		// costs.
		registry.setPreservePublishOrder(this.preserveOrder);
		registry.enableSimpleBroker("/topic");
	}

	@Bean
	Publisher publisher(SimpMessagingTemplate messagingTemplate) {
		return (entity, id, action) -> messagingTemplate.convertAndSend(
				"/topic/bench." + entity + "." + id + "." + action, (Object) Publisher.message(entity, id, action));
	}

}
