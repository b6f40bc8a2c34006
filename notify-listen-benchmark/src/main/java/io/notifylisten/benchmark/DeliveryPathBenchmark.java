package io.notifylisten.benchmark;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.notifylisten.benchmark.server.notifylisten.NotifyListenBenchmarkServer;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.notify.NotifyMessage;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;

/**
 * What notify-listen adds to each delivery, measured without sockets and their noise:
 * messages as Spring's simple broker makes them for one notification fanned out to many
 * connections go through the real client outbound channel's interceptors (as configured
 * by the auto-configuration of a real application context), one thread, after a warm-up.
 * The baseline in the same run is the same loop with no interceptor, which is what a bare
 * Spring STOMP application pays here. The application is the benchmark's notify-listen
 * server, in this JVM. Run it by hand (BENCHMARKS.md); it prints a table and stops by
 * itself.
 *
 * <p>
 * Arguments: {@code [connections=1000] [rounds=200]}.
 */
public final class DeliveryPathBenchmark {

	private static final MessageHandler NO_HANDLER = (message) -> {
	};

	private DeliveryPathBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		// One string from -Dbenchmark.args, or separate arguments.
		args = String.join(" ", args).trim().split("\\s+");
		if (args.length == 1 && args[0].isEmpty()) {
			args = new String[0];
		}
		int connections = (args.length > 0) ? Integer.parseInt(args[0]) : 1000;
		int rounds = (args.length > 1) ? Integer.parseInt(args[1]) : 200;
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(NotifyListenBenchmarkServer.class)
			.properties("server.port=0", "server.address=127.0.0.1", "notify-listen.key=bench",
					"notify-listen.secret=0123456789abcdef0123456789abcdef",
					"notify-listen.limits.max-connections-per-user=100000", "logging.level.root=WARN",
					"spring.main.banner-mode=off")
			.run()) {
			ConnectionRegistry registry = context.getBean(ConnectionRegistry.class);
			ExecutorSubscribableChannel outbound = context.getBean("clientOutboundChannel",
					ExecutorSubscribableChannel.class);
			List<ChannelInterceptor> interceptors = outbound.getInterceptors();
			UsernamePasswordAuthenticationToken user = UsernamePasswordAuthenticationToken.authenticated(
					NotifyListenBenchmarkServer.USER_PREFIX + "0", null,
					AuthorityUtils.createAuthorityList("NOTIFY_LISTEN_USER"));
			List<String> sessions = new ArrayList<>();
			for (int i = 0; i < connections; i++) {
				String sessionId = "bench-" + i;
				registry.register(sessionId, user, null, Integer.MAX_VALUE);
				sessions.add(sessionId);
			}
			byte[] payload = JsonMapper.shared()
				.writeValueAsBytes(new NotifyMessage("Item", "1", "changed", Instant.now(), "system", Map.of()));
			String destination = "/topic/bench.Item.1.changed";
			System.out.printf(Locale.ROOT, "%d connections, %d notifications per measurement, interceptors: %s%n",
					connections, rounds, interceptors.stream().map(DeliveryPathBenchmark::name).toList());
			System.out.printf("%-48s %12s %14s%n", "path", "ns/delivery", "deliveries/s");
			for (int pass = 0; pass < 3; pass++) {
				boolean report = pass == 2;
				double bare = measure(List.of(), sessions, payload, destination, rounds, outbound);
				double full = measure(interceptors, sessions, payload, destination, rounds, outbound);
				if (report) {
					print("baseline: no interceptor", bare);
					print("notify-listen's interceptors", full);
					for (ChannelInterceptor interceptor : interceptors) {
						print("  only " + name(interceptor),
								measure(List.of(interceptor), sessions, payload, destination, rounds, outbound));
					}
					System.out.printf(Locale.ROOT, "%-48s %12.0f%n", "added by notify-listen", full - bare);
				}
			}
		}
	}

	private static String name(ChannelInterceptor interceptor) {
		String name = interceptor.getClass().getName();
		return name.substring(name.lastIndexOf('.') + 1);
	}

	private static void print(String path, double nanos) {
		System.out.printf(Locale.ROOT, "%-48s %12.0f %,14.0f%n", path, nanos, 1e9 / nanos);
	}

	// As SimpleBrokerMessageHandler.sendMessageToSubscribers builds one message per
	// subscription, then as ExecutorSubscribableChannel runs interceptors around handling
	// it.
	private static double measure(List<ChannelInterceptor> interceptors, List<String> sessions, byte[] payload,
			String destination, int rounds, MessageChannel channel) {
		long sink = 0;
		long start = System.nanoTime();
		for (int round = 0; round < rounds; round++) {
			for (String sessionId : sessions) {
				SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
				headers.setSessionId(sessionId);
				headers.setSubscriptionId("sub-0");
				headers.setDestination(destination);
				headers.setLeaveMutable(true);
				Message<?> message = MessageBuilder.createMessage(payload, headers.getMessageHeaders());
				for (ChannelInterceptor interceptor : interceptors) {
					message = interceptor.preSend(message, channel);
				}
				for (ChannelInterceptor interceptor : interceptors) {
					if (message != null && interceptor instanceof ExecutorChannelInterceptor executorInterceptor) {
						message = executorInterceptor.beforeHandle(message, channel, NO_HANDLER);
					}
				}
				if (message != null) {
					sink += message.getHeaders().size();
					for (ChannelInterceptor interceptor : interceptors) {
						if (interceptor instanceof ExecutorChannelInterceptor executorInterceptor) {
							executorInterceptor.afterMessageHandled(message, channel, NO_HANDLER, null);
						}
					}
				}
			}
		}
		long elapsed = System.nanoTime() - start;
		// Uses the result, so that the JIT cannot drop the loop as work without effect.
		if (sink == 42) {
			System.out.print("");
		}
		return (double) elapsed / ((long) rounds * sessions.size());
	}

}
