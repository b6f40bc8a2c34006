package io.notifylisten.internal.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.TypeFilter;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.broker.AbstractSubscriptionRegistry;
import org.springframework.util.AntPathMatcher;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.MultiValueMapAdapter;
import org.springframework.util.PathMatcher;

/**
 * The embedded broker's subscriptions, indexed by destination: finding a channel's
 * subscribers is one lookup, and subscribing or unsubscribing changes one entry.
 *
 * <p>
 * Why not Spring's {@code DefaultSubscriptionRegistry}: it resolves a destination by
 * scanning every subscription of every session and caches the result per destination,
 * copying a destination's whole subscriber map on each SUBSCRIBE to it. A notification to
 * a channel outside its cache costs a scan of all subscriptions (10,000 listeners on a
 * channel each: the benchmark's many-channels scenario), and 10,000 listeners subscribing
 * to one channel cost 10,000 copies of a growing map (seen in its profile).
 * notify-listen's destinations are exact (wildcards and selectors are refused at
 * SUBSCRIBE), so a map serves; a pattern subscription, should an application's own
 * configuration let one through, is still matched as Spring's registry would.
 *
 * <p>
 * A type channel's destination ({@code /topic/shop.Order.*.refresh}) is kept as an exact
 * one, though it looks like a pattern: a channel's subscribers are those of its own
 * destination and those of its type's, two lookups, so that listeners to a type leave the
 * direct fan-out on for everyone. A type subscription may carry a {@link TypeFilter} on
 * the payload's fields: only the notifications it matches count it as a subscriber, on
 * Spring's route and the direct fan-out alike.
 */
public class ChannelSubscriptionRegistry extends AbstractSubscriptionRegistry {

	private static final MultiValueMap<String, String> NONE = CollectionUtils
		.unmodifiableMultiValueMap(new LinkedMultiValueMap<>());

	/** Destination to session id to that session's subscription ids for it. */
	private final Map<String, Map<String, List<String>>> byDestination = new ConcurrentHashMap<>();

	/** Session id to subscription id to destination. */
	private final Map<String, Map<String, String>> bySession = new ConcurrentHashMap<>();

	private final List<PatternSubscription> patterns = new CopyOnWriteArrayList<>();

	private final PathMatcher pathMatcher = new AntPathMatcher();

	/**
	 * Type destination to session id to subscription id to filter: only subscriptions
	 * with a filter, so that a type without any costs no lookup per notification.
	 */
	private final Map<String, Map<String, Map<String, TypeFilter>>> filters = new ConcurrentHashMap<>();

	private final @Nullable ChannelDestinations destinations;

	private final JsonMapper jsonMapper;

	/**
	 * Create a registry that knows no type channels.
	 */
	public ChannelSubscriptionRegistry() {
		this(null, JsonMapper.shared());
	}

	/**
	 * Create a registry that adds a type channel's subscribers to those of each of its
	 * channels, where their filters match.
	 * @param destinations the destinations of notify-listen's channels, or {@code null}
	 * @param jsonMapper reads a notification's payload for the filters
	 */
	public ChannelSubscriptionRegistry(@Nullable ChannelDestinations destinations, JsonMapper jsonMapper) {
		this.destinations = destinations;
		this.jsonMapper = jsonMapper;
	}

	@Override
	protected void addSubscriptionInternal(String sessionId, String subscriptionId, String destination,
			Message<?> message) {
		Map<String, String> session = this.bySession.computeIfAbsent(sessionId, (id) -> new ConcurrentHashMap<>());
		String previous = session.put(subscriptionId, destination);
		if (previous != null) {
			// The same id again: the subscription moves, as a client reusing an id means.
			remove(sessionId, subscriptionId, previous);
		}
		if (isPattern(destination)) {
			this.patterns.add(new PatternSubscription(sessionId, subscriptionId, destination));
			return;
		}
		if (message.getHeaders().get(TypeFilter.HEADER_ATTRIBUTE) instanceof TypeFilter filter) {
			// Before the subscription is seen, so that it is never seen without its
			// filter; in one compute with the removals, which drop an emptied map.
			this.filters.compute(destination, (key, sessions) -> {
				Map<String, Map<String, TypeFilter>> map = (sessions != null) ? sessions : new ConcurrentHashMap<>();
				map.computeIfAbsent(sessionId, (id) -> new ConcurrentHashMap<>()).put(subscriptionId, filter);
				return map;
			});
		}
		this.byDestination.compute(destination, (key, subscribers) -> {
			Map<String, List<String>> map = (subscribers != null) ? subscribers : new ConcurrentHashMap<>(2);
			map.merge(sessionId, List.of(subscriptionId), ChannelSubscriptionRegistry::plus);
			return map;
		});
	}

	@Override
	protected void removeSubscriptionInternal(String sessionId, String subscriptionId, Message<?> message) {
		Map<String, String> session = this.bySession.get(sessionId);
		String destination = (session != null) ? session.remove(subscriptionId) : null;
		if (destination != null) {
			remove(sessionId, subscriptionId, destination);
		}
	}

	@Override
	public void unregisterAllSubscriptions(String sessionId) {
		Map<String, String> session = this.bySession.remove(sessionId);
		if (session != null) {
			session.forEach((subscriptionId, destination) -> remove(sessionId, subscriptionId, destination));
		}
	}

	/**
	 * The subscribers of a destination, as a live view: the broker iterates it once per
	 * message, and subscriptions that come or go meanwhile may or may not be seen, as
	 * with any fan-out in flight.
	 */
	@Override
	protected MultiValueMap<String, String> findSubscriptionsInternal(String destination, Message<?> message) {
		Map<String, List<String>> subscribers = this.byDestination.get(destination);
		Map<String, List<String>> typeSubscribers = typeSubscribers(destination, message.getPayload());
		if (this.patterns.isEmpty() && typeSubscribers == null) {
			return (subscribers != null) ? new MultiValueMapAdapter<>(subscribers) : NONE;
		}
		LinkedMultiValueMap<String, String> matches = new LinkedMultiValueMap<>();
		if (subscribers != null) {
			subscribers.forEach((sessionId, ids) -> matches.addAll(sessionId, ids));
		}
		if (typeSubscribers != null) {
			typeSubscribers.forEach((sessionId, ids) -> matches.addAll(sessionId, ids));
		}
		for (PatternSubscription pattern : this.patterns) {
			if (this.pathMatcher.match(pattern.destination(), destination)) {
				List<String> ids = matches.get(pattern.sessionId());
				if (ids == null || !ids.contains(pattern.subscriptionId())) {
					matches.add(pattern.sessionId(), pattern.subscriptionId());
				}
			}
		}
		return matches;
	}

	/**
	 * Return the subscriptions to exactly this destination, as session id to subscription
	 * ids, as a live view; pattern subscriptions that match it are not among them (see
	 * {@link #hasPatterns()}).
	 * @param destination an exact destination
	 * @return the subscribers, or {@code null} if it has none
	 */
	public @Nullable Map<String, List<String>> exactSubscribers(String destination) {
		return this.byDestination.get(destination);
	}

	/**
	 * Return the subscriptions to the type channel of a channel's destination, as session
	 * id to subscription ids, as a live view.
	 * @param destination a channel's destination, for example
	 * {@code /topic/shop.Order.42.refresh}
	 * @return the subscribers of {@code /topic/shop.Order.*.refresh}, or {@code null} if
	 * it has none or the destination is not a channel's
	 */
	private @Nullable Map<String, List<String>> typeSubscribers(String destination, Object payload) {
		if (this.destinations == null) {
			return null;
		}
		ChannelName channel = this.destinations.channelOrNull(destination);
		return (channel != null) ? typeSubscribers(channel, payload) : null;
	}

	/**
	 * Return the subscriptions to a channel's type channel whose filters a notification
	 * matches, as session id to subscription ids: every route's one rule for filters. The
	 * payload is read once per call, and only where a subscription has a filter; without
	 * any, the result is a live view.
	 * @param channel an object's channel, for example {@code Order/42/refresh}
	 * @param payload the notification as JSON bytes
	 * @return the subscribers of <code>Order/&#42;/refresh</code> that take this
	 * notification, or {@code null} if it has none
	 */
	public @Nullable Map<String, List<String>> typeSubscribers(ChannelName channel, Object payload) {
		if (this.destinations == null) {
			return null;
		}
		String destination = this.destinations.typeDestinationOf(channel);
		Map<String, List<String>> subscribers = this.byDestination.get(destination);
		Map<String, Map<String, TypeFilter>> filters = (subscribers != null) ? this.filters.get(destination) : null;
		if (filters == null) {
			return subscribers;
		}
		JsonNode fields = payloadFields(payload);
		Map<String, List<String>> matching = new LinkedHashMap<>();
		subscribers.forEach((sessionId, ids) -> {
			Map<String, TypeFilter> ofSession = filters.get(sessionId);
			List<String> taken = (ofSession == null) ? ids : ids.stream().filter((id) -> {
				TypeFilter filter = ofSession.get(id);
				return filter == null || filter.matches(fields);
			}).toList();
			if (!taken.isEmpty()) {
				matching.put(sessionId, taken);
			}
		});
		return matching.isEmpty() ? null : matching;
	}

	// A notification that cannot be read matches no filter: filters only ever narrow.
	private @Nullable JsonNode payloadFields(Object payload) {
		if (!(payload instanceof byte[] bytes)) {
			return null;
		}
		try {
			return this.jsonMapper.readTree(bytes).get("payload");
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/**
	 * Return whether a pattern subscription exists, so that a destination's subscribers
	 * are more than its {@link #exactSubscribers(String) exact} ones.
	 * @return whether any subscription is a pattern
	 */
	public boolean hasPatterns() {
		return !this.patterns.isEmpty();
	}

	/**
	 * Return how many destinations have subscribers, for tests of clean-up.
	 * @return the count
	 */
	int destinations() {
		return this.byDestination.size();
	}

	private boolean isPattern(String destination) {
		return this.pathMatcher.isPattern(destination)
				&& (this.destinations == null || this.destinations.typeOrNull(destination) == null);
	}

	private void remove(String sessionId, String subscriptionId, String destination) {
		if (isPattern(destination)) {
			this.patterns.remove(new PatternSubscription(sessionId, subscriptionId, destination));
			return;
		}
		this.byDestination.computeIfPresent(destination, (key, subscribers) -> {
			subscribers.computeIfPresent(sessionId, (id, ids) -> minus(ids, subscriptionId));
			return subscribers.isEmpty() ? null : subscribers;
		});
		this.filters.computeIfPresent(destination, (key, sessions) -> {
			sessions.computeIfPresent(sessionId, (id, ofSession) -> {
				ofSession.remove(subscriptionId);
				return ofSession.isEmpty() ? null : ofSession;
			});
			return sessions.isEmpty() ? null : sessions;
		});
	}

	private static List<String> plus(List<String> ids, List<String> added) {
		if (ids.containsAll(added)) {
			return ids;
		}
		List<String> both = new ArrayList<>(ids);
		both.addAll(added);
		return List.copyOf(both);
	}

	private static @Nullable List<String> minus(List<String> ids, String removed) {
		if (!ids.contains(removed)) {
			return ids;
		}
		List<String> rest = new ArrayList<>(ids);
		rest.remove(removed);
		return rest.isEmpty() ? null : List.copyOf(rest);
	}

	private record PatternSubscription(String sessionId, String subscriptionId, String destination) {

	}

}
