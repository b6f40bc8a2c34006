package io.notifylisten.internal.broker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.internal.channel.TypeChannel;
import io.notifylisten.internal.channel.TypeFilter;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.EntityRule;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.DefaultSubscriptionRegistry;
import org.springframework.messaging.simp.broker.SubscriptionRegistry;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ChannelSubscriptionRegistry} finds what Spring's
 * {@link DefaultSubscriptionRegistry} finds.
 */
class ChannelSubscriptionRegistryTests {

	private static final FilterableFields FILTERABLE = FilterableFields.of(EntityAccessRules.builder()
		.entity("Order", EntityRule.anyListener(), (actions) -> actions.action("shipped", Shipped.class, "customer"))
		.build());

	private final ChannelSubscriptionRegistry registry = new ChannelSubscriptionRegistry();

	private final DefaultSubscriptionRegistry spring = new DefaultSubscriptionRegistry();

	@Test
	void findsEachSubscriberOfADestinationAndNobodyElse() {
		subscribe("s1", "0", "/topic/k.Order.1.shipped");
		subscribe("s1", "1", "/topic/k.Order.2.shipped");
		subscribe("s2", "0", "/topic/k.Order.1.shipped");
		subscribe("s2", "7", "/topic/k.Order.1.shipped");
		subscribe("s3", "0", "/topic/k.Order.3.shipped");
		assertFinds("/topic/k.Order.1.shipped", Map.of("s1", List.of("0"), "s2", List.of("0", "7")));
		assertFinds("/topic/k.Order.2.shipped", Map.of("s1", List.of("1")));
		assertFinds("/topic/k.Order.9.shipped", Map.of());
	}

	@Test
	void unsubscribeAndDisconnectLeaveNothingBehind() {
		subscribe("s1", "0", "/topic/k.Order.1.shipped");
		subscribe("s1", "1", "/topic/k.Order.2.shipped");
		subscribe("s2", "0", "/topic/k.Order.1.shipped");
		unsubscribe("s1", "0");
		assertFinds("/topic/k.Order.1.shipped", Map.of("s2", List.of("0")));
		unsubscribe("s1", "unknown");
		both((registry) -> registry.unregisterAllSubscriptions("s2"));
		assertFinds("/topic/k.Order.1.shipped", Map.of());
		assertFinds("/topic/k.Order.2.shipped", Map.of("s1", List.of("1")));
		both((registry) -> registry.unregisterAllSubscriptions("s1"));
		assertFinds("/topic/k.Order.2.shipped", Map.of());
		assertThat(this.registry.destinations()).isZero();
	}

	@Test
	void aPatternSubscriptionIsMatchedAsSpringMatchesIt() {
		subscribe("s1", "0", "/topic/k.Order.1.shipped");
		subscribe("s2", "0", "/topic/k.Order.*.shipped");
		assertFinds("/topic/k.Order.1.shipped", Map.of("s1", List.of("0"), "s2", List.of("0")));
		assertFinds("/topic/k.Order.5.shipped", Map.of("s2", List.of("0")));
		unsubscribe("s2", "0");
		assertFinds("/topic/k.Order.5.shipped", Map.of());
	}

	@Test
	void aTypeChannelsSubscribersAreFoundForEachOfItsChannelsWithoutPatterns() {
		ChannelSubscriptionRegistry types = new ChannelSubscriptionRegistry(new ChannelDestinations("k"),
				JsonMapper.shared());
		types.registerSubscription(message(SimpMessageType.SUBSCRIBE, "s1", "0", "/topic/k.Order.1.shipped"));
		types.registerSubscription(message(SimpMessageType.SUBSCRIBE, "s1", "1", "/topic/k.Order.*.shipped"));
		types.registerSubscription(message(SimpMessageType.SUBSCRIBE, "s2", "0", "/topic/k.Order.*.shipped"));
		// Found as Spring's registry finds it, as a pattern, but kept as an exact one.
		assertThat(types.hasPatterns()).isFalse();
		assertThat(find(types, "/topic/k.Order.1.shipped"))
			.isEqualTo(Map.of("s1", List.of("0", "1"), "s2", List.of("0")));
		assertThat(find(types, "/topic/k.Order.5.shipped")).isEqualTo(Map.of("s1", List.of("1"), "s2", List.of("0")));
		assertThat(find(types, "/topic/k.Order.5.cancelled")).isEmpty();
		assertThat(types.typeSubscribers(ChannelName.parse("Order/5/shipped"), new byte[0])).containsOnlyKeys("s1",
				"s2");
		types.unregisterAllSubscriptions("s2");
		types.unregisterSubscription(message(SimpMessageType.UNSUBSCRIBE, "s1", "1", null));
		assertThat(find(types, "/topic/k.Order.5.shipped")).isEmpty();
		assertThat(types.destinations()).isOne();
	}

	@Test
	void aFilteredTypeSubscriberIsFoundOnlyForTheNotificationsItsFilterMatches() {
		ChannelSubscriptionRegistry types = new ChannelSubscriptionRegistry(new ChannelDestinations("k"),
				JsonMapper.shared());
		types.registerSubscription(filtered("s1", "0", "{\"customer\":42}"));
		types.registerSubscription(filtered("s1", "1", "{\"customer\":7}"));
		types.registerSubscription(message(SimpMessageType.SUBSCRIBE, "s2", "0", "/topic/k.Order.*.shipped"));
		assertThat(find(types, "/topic/k.Order.1.shipped", "{\"payload\":{\"customer\":42}}"))
			.isEqualTo(Map.of("s1", List.of("0"), "s2", List.of("0")));
		assertThat(find(types, "/topic/k.Order.1.shipped", "{\"payload\":{\"customer\":9}}"))
			.isEqualTo(Map.of("s2", List.of("0")));
		assertThat(find(types, "/topic/k.Order.1.shipped", "{\"payload\":{}}")).isEqualTo(Map.of("s2", List.of("0")));
		assertThat(find(types, "/topic/k.Order.1.shipped", "not JSON")).isEqualTo(Map.of("s2", List.of("0")));
		types.unregisterSubscription(message(SimpMessageType.UNSUBSCRIBE, "s1", "0", null));
		// The id used again without a filter: no filter of the one before is left on it.
		types.registerSubscription(message(SimpMessageType.SUBSCRIBE, "s1", "0", "/topic/k.Order.*.shipped"));
		assertThat(find(types, "/topic/k.Order.1.shipped", "{\"payload\":{\"customer\":9}}"))
			.isEqualTo(Map.of("s1", List.of("0"), "s2", List.of("0")));
	}

	@Test
	void subscriptionsOfManyThreadsAtOnceAreAllFoundThenAllGone() throws Exception {
		int threads = 4;
		int perThread = 2_000;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				done.add(pool.submit(() -> {
					for (int i = 0; i < perThread; i++) {
						this.registry.registerSubscription(
								message(SimpMessageType.SUBSCRIBE, "s" + thread + "-" + i, "0", "/topic/k.Order.1.x"));
					}
				}));
			}
			for (Future<?> future : done) {
				future.get();
			}
			assertThat(find(this.registry, "/topic/k.Order.1.x")).hasSize(threads * perThread);
			done.clear();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				done.add(pool.submit(() -> {
					for (int i = 0; i < perThread; i++) {
						this.registry.unregisterAllSubscriptions("s" + thread + "-" + i);
					}
				}));
			}
			for (Future<?> future : done) {
				future.get();
			}
			assertThat(find(this.registry, "/topic/k.Order.1.x")).isEmpty();
			assertThat(this.registry.destinations()).isZero();
		}
		finally {
			pool.shutdownNow();
		}
	}

	private void subscribe(String sessionId, String subscriptionId, String destination) {
		both((registry) -> registry
			.registerSubscription(message(SimpMessageType.SUBSCRIBE, sessionId, subscriptionId, destination)));
	}

	private void unsubscribe(String sessionId, String subscriptionId) {
		both((registry) -> registry
			.unregisterSubscription(message(SimpMessageType.UNSUBSCRIBE, sessionId, subscriptionId, null)));
	}

	private void both(java.util.function.Consumer<SubscriptionRegistry> action) {
		action.accept(this.registry);
		action.accept(this.spring);
	}

	private void assertFinds(String destination, Map<String, List<String>> expected) {
		assertThat(find(this.spring, destination)).as("Spring's registry").isEqualTo(expected);
		assertThat(find(this.registry, destination)).as("notify-listen's registry").isEqualTo(expected);
	}

	private static Map<String, List<String>> find(SubscriptionRegistry registry, String destination) {
		MultiValueMap<String, String> found = registry
			.findSubscriptions(message(SimpMessageType.MESSAGE, "publisher", null, destination));
		Map<String, List<String>> copy = new java.util.HashMap<>();
		found.forEach((sessionId, ids) -> copy.put(sessionId, ids.stream().sorted().toList()));
		return copy;
	}

	private static Map<String, List<String>> find(SubscriptionRegistry registry, String destination, String json) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setSessionId("publisher");
		headers.setDestination(destination);
		MultiValueMap<String, String> found = registry.findSubscriptions(
				MessageBuilder.createMessage(json.getBytes(StandardCharsets.UTF_8), headers.getMessageHeaders()));
		Map<String, List<String>> copy = new java.util.HashMap<>();
		found.forEach((sessionId, ids) -> copy.put(sessionId, ids.stream().sorted().toList()));
		return copy;
	}

	private static Message<byte[]> filtered(String sessionId, String subscriptionId, String where) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.SUBSCRIBE);
		headers.setSessionId(sessionId);
		headers.setSubscriptionId(subscriptionId);
		headers.setDestination("/topic/k.Order.*.shipped");
		headers.setHeader(TypeFilter.HEADER_ATTRIBUTE, FILTERABLE.parse(new TypeChannel("Order", "shipped"), where));
		return MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
	}

	private static Message<byte[]> message(SimpMessageType type, String sessionId, String subscriptionId,
			String destination) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(type);
		headers.setSessionId(sessionId);
		if (subscriptionId != null) {
			headers.setSubscriptionId(subscriptionId);
		}
		if (destination != null) {
			headers.setDestination(destination);
		}
		return MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
	}

	record Shipped(long customer) {

	}

}
