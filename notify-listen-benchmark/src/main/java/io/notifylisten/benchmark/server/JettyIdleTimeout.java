package io.notifylisten.benchmark.server;

import java.time.Duration;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketTransportRegistration;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * On Jetty only ({@code --container=jetty}): no WebSocket idle timeout, as on Tomcat. The
 * load client's listeners neither send nor ask for heart-beats, so Jetty's 30 s idle
 * timeout closed the first of 10,000 idle listeners before the last had connected. Set
 * per session: on Jetty, Spring opens sessions through Jetty's own API, which ignores the
 * Jakarta container default of {@code ServletServerContainerFactoryBean} (seen:
 * {@code to=…/30000} on every endpoint). Applied to both servers alike.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.eclipse.jetty.server.Server")
public class JettyIdleTimeout implements WebSocketMessageBrokerConfigurer {

	@Override
	public void configureWebSocketTransport(WebSocketTransportRegistration registration) {
		registration.addDecoratorFactory((handler) -> new WebSocketHandlerDecorator(handler) {

			@Override
			public void afterConnectionEstablished(WebSocketSession session) throws Exception {
				if (session instanceof NativeWebSocketSession nativeSession
						&& nativeSession.getNativeSession() instanceof org.eclipse.jetty.websocket.api.Session jetty) {
					// Zero: no timeout.
					jetty.setIdleTimeout(Duration.ZERO);
				}
				super.afterConnectionEstablished(session);
			}

		});
	}

}
