package io.notifylisten.internal.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

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

	@Override
	protected void addSubscriptionInternal(String sessionId, String subscriptionId, String destination,
			Message<?> message) {
		Map<String, String> session = this.bySession.computeIfAbsent(sessionId, (id) -> new ConcurrentHashMap<>());
		String previous = session.put(subscriptionId, destination);
		if (previous != null) {
			// The same id again: the subscription moves, as a client reusing an id means.
			remove(sessionId, subscriptionId, previous);
		}
		if (this.pathMatcher.isPattern(destination)) {
			this.patterns.add(new PatternSubscription(sessionId, subscriptionId, destination));
			return;
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
		if (this.patterns.isEmpty()) {
			return (subscribers != null) ? new MultiValueMapAdapter<>(subscribers) : NONE;
		}
		LinkedMultiValueMap<String, String> matches = new LinkedMultiValueMap<>();
		if (subscribers != null) {
			subscribers.forEach((sessionId, ids) -> matches.addAll(sessionId, ids));
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

	private void remove(String sessionId, String subscriptionId, String destination) {
		if (this.pathMatcher.isPattern(destination)) {
			this.patterns.remove(new PatternSubscription(sessionId, subscriptionId, destination));
			return;
		}
		this.byDestination.computeIfPresent(destination, (key, subscribers) -> {
			subscribers.computeIfPresent(sessionId, (id, ids) -> minus(ids, subscriptionId));
			return subscribers.isEmpty() ? null : subscribers;
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
