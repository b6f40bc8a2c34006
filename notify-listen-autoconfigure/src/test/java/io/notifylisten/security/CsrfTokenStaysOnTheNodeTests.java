package io.notifylisten.security;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.testapp.ListenerClient;
import io.notifylisten.testapp.OrdersServerTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

import static io.notifylisten.testapp.OrdersTestApplication.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CSRF token a client sends with CONNECT is checked and then removed: the broker
 * behind Spring's STOMP handler would otherwise be sent it with the other CONNECT
 * headers.
 */
@OrdersServerTest("notify-listen.key=csrf-test")
@Import(CsrfTokenStaysOnTheNodeTests.ConnectFramesAfterNotifyListen.class)
class CsrfTokenStaysOnTheNodeTests {

	@LocalServerPort
	int port;

	@Autowired
	ConnectFramesAfterNotifyListen seen;

	@Test
	void connectGoesOnWithoutTheCsrfToken() throws Exception {
		try (ListenerClient alice = ListenerClient.as(this.port, ALICE).connect()) {
			assertThat(alice.connectionId()).as("connected, so the token was checked").isNotNull();
			assertThat(this.seen.connects).singleElement()
				.satisfies((connect) -> assertThat(connect.toNativeHeaderMap()).containsKey("accept-version")
					.doesNotContainKey("X-CSRF-TOKEN"));
		}
	}

	/** Sees the CONNECT frames as the broker gets them, after notify-listen's checks. */
	@TestConfiguration(proxyBeanMethods = false)
	static class ConnectFramesAfterNotifyListen implements WebSocketMessageBrokerConfigurer, Ordered {

		final List<StompHeaderAccessor> connects = new CopyOnWriteArrayList<>();

		@Override
		public void configureClientInboundChannel(ChannelRegistration registration) {
			registration.interceptors(new ChannelInterceptor() {

				@Override
				public Message<?> preSend(Message<?> message, MessageChannel channel) {
					StompHeaderAccessor headers = StompHeaderAccessor.wrap(message);
					if (StompCommand.CONNECT.equals(headers.getCommand())) {
						ConnectFramesAfterNotifyListen.this.connects.add(headers);
					}
					return message;
				}

			});
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
