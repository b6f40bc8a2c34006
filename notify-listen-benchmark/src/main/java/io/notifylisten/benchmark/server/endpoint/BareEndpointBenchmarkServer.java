package io.notifylisten.benchmark.server.endpoint;

import io.notifylisten.benchmark.server.BenchmarkControl;
import io.notifylisten.benchmark.server.Publisher;
import io.notifylisten.benchmark.server.TomcatBufferTuning;
import io.notifylisten.benchmark.server.WithoutNotifyListen;
import jakarta.websocket.server.ServerEndpointConfig;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;

/**
 * The bare endpoint: a Jakarta WebSocket endpoint on {@code /ws} of the embedded
 * container, with no Spring messaging, broker or security ({@link BareStompEndpoint}).
 * The benchmark's scenario (g) measures it as the floor of every STOMP server on that
 * container, next to the bare sockets of (f).
 */
@WithoutNotifyListen
@Import({ BenchmarkControl.class, TomcatBufferTuning.class })
public class BareEndpointBenchmarkServer {

	public static void main(String[] args) {
		SpringApplication.run(BareEndpointBenchmarkServer.class, args);
	}

	@Bean(destroyMethod = "close")
	BareStompEndpoint bareStompEndpoint(JsonMapper jsonMapper, ObjectProvider<BenchmarkControl> control) {
		return new BareStompEndpoint(jsonMapper, control);
	}

	@Bean
	ServerEndpointConfig bareStompEndpointConfig(BareStompEndpoint endpoint) {
		return ServerEndpointConfig.Builder.create(BareStompEndpoint.class, "/ws")
			.configurator(new ServerEndpointConfig.Configurator() {

				@Override
				public <T> T getEndpointInstance(Class<T> endpointClass) {
					return endpointClass.cast(endpoint);
				}

			})
			.build();
	}

	@Bean
	ServerEndpointExporter serverEndpointExporter() {
		return new ServerEndpointExporter();
	}

	@Bean
	Publisher publisher(BareStompEndpoint endpoint) {
		return endpoint::publish;
	}

}
