package io.notifylisten.benchmark.server;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Optional, for the memory experiment only ({@code --tuned} on {@code BenchmarkMain}):
 * shrinks Tomcat's per-connection socket buffers, which default to 8 KiB each way, to
 * {@code bench.socket-buffer} bytes. Applied to both servers alike.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("bench.socket-buffer")
@ConditionalOnClass(name = "org.apache.catalina.connector.Connector")
public class TomcatBufferTuning {

	@Bean
	WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> smallSocketBuffers(
			org.springframework.core.env.Environment environment) {
		String size = environment.getRequiredProperty("bench.socket-buffer");
		return (factory) -> factory.addConnectorCustomizers((connector) -> {
			connector.setProperty("socket.appReadBufSize", size);
			connector.setProperty("socket.appWriteBufSize", size);
		});
	}

}
