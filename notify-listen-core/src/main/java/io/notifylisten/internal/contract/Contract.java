package io.notifylisten.internal.contract;

import java.lang.reflect.Type;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.security.EntityAccessRules;

/**
 * What an application declares that decides what its pages receive: the entities that may
 * be listened to, the {@code @NotifyListen} methods whose return value arrives as
 * {@code result}, and where the messages go.
 *
 * @param title what the documents call the application
 * @param version the application's version, as the documents show it
 * @param destinations the key's STOMP destinations
 * @param endpoint path of the STOMP-over-WebSocket endpoint
 * @param presence whether pages may subscribe to an object's presence
 * @param entities entities with an access rule or a handler, in name order
 * @param handlers one per {@code @NotifyListen} method, in entity and action order
 */
public record Contract(String title, String version, ChannelDestinations destinations, String endpoint,
		boolean presence, Set<String> entities, List<HandlerChannel> handlers) {

	/** Names both documents declare themselves, which no entity or channel may take. */
	private static final Set<String> BUILT_IN_NAMES = Set.of("NotifyMessage", "PresenceMessage", "ChannelMessages",
			"EntityName");

	public Contract {
		entities = Collections.unmodifiableSortedSet(new TreeSet<>(entities));
		handlers = handlers.stream()
			.sorted(Comparator.comparing(HandlerChannel::entity).thenComparing(HandlerChannel::action))
			.toList();
	}

	/**
	 * Return the name both documents give each entity's and each handler channel's
	 * message: one name each, none of them a built-in one. An entity {@code OrderRefresh}
	 * beside the channel {@code Order/refresh}, or an entity {@code Notify}, would
	 * otherwise declare one name twice.
	 * @return the names, by entity name and by {@link HandlerChannel#channelId()}
	 */
	MessageNames messageNames() {
		Set<String> taken = new HashSet<>(BUILT_IN_NAMES);
		Map<String, String> ofEntities = new LinkedHashMap<>();
		for (String entity : this.entities) {
			ofEntities.put(entity, unique(taken, typeName(entity), typeName(entity) + "Entity"));
		}
		Map<String, String> ofHandlers = new LinkedHashMap<>();
		for (HandlerChannel handler : this.handlers) {
			ofHandlers.put(handler.channelId(), unique(taken, typeName(handler.entity()) + typeName(handler.action()),
					typeName(handler.entity()) + "_" + typeName(handler.action())));
		}
		return new MessageNames(ofEntities, ofHandlers);
	}

	// The readable name where it is free, else the fallback, else the fallback numbered;
	// each stem followed by "Message".
	private static String unique(Set<String> taken, String stem, String fallbackStem) {
		String candidate = taken.contains(stem + "Message") ? fallbackStem + "Message" : stem + "Message";
		for (int n = 2; taken.contains(candidate); n++) {
			candidate = fallbackStem + n + "Message";
		}
		taken.add(candidate);
		return candidate;
	}

	/**
	 * The names of the messages in both documents.
	 *
	 * @param ofEntities by entity name
	 * @param ofHandlers by handler channel id
	 */
	record MessageNames(Map<String, String> ofEntities, Map<String, String> ofHandlers) {

		String of(String entity) {
			return this.ofEntities.get(entity);
		}

		String of(HandlerChannel handler) {
			return this.ofHandlers.get(handler.channelId());
		}

	}

	/**
	 * Read the contract from what the application declared. Entities that only the
	 * application's {@code PermissionEvaluator} covers have no name to read, so only
	 * those with a handler appear.
	 * @param title what the documents call the application
	 * @param version the application's version
	 * @param destinations the key's destinations
	 * @param endpoint path of the WebSocket endpoint
	 * @param presence whether presence is on
	 * @param rules the access rules
	 * @param handlers the registered handlers
	 * @return the contract
	 */
	public static Contract of(String title, String version, ChannelDestinations destinations, String endpoint,
			boolean presence, EntityAccessRules rules, NotifyListenHandlers handlers) {
		List<HandlerChannel> channels = handlers.declarations()
			.stream()
			.map((declaration) -> new HandlerChannel(declaration.entity(), declaration.action(),
					declaration.method().getGenericReturnType()))
			.toList();
		Set<String> entities = new TreeSet<>(rules.entities());
		channels.forEach((channel) -> entities.add(channel.entity()));
		return new Contract(title, version, destinations, endpoint, presence, entities, channels);
	}

	/**
	 * One {@code entity/{id}/action} channel whose messages carry a handler's
	 * {@code result}.
	 *
	 * @param entity entity name
	 * @param action action name
	 * @param resultType the handler's return type; {@code void} when it returns nothing
	 */
	public record HandlerChannel(String entity, String action, Type resultType) {

		/**
		 * Return the id of this channel in the AsyncAPI document.
		 * @return for example {@code Order.refresh}
		 */
		String channelId() {
			return this.entity + "." + this.action;
		}

		boolean hasResult() {
			return this.resultType != void.class && this.resultType != Void.class;
		}

	}

	// Actions may hold '-' and '_', which neither a TypeScript name nor a readable one
	// should.
	private static String typeName(String name) {
		StringBuilder typeName = new StringBuilder(name.length());
		boolean upper = true;
		for (char c : name.toCharArray()) {
			if (c == '-' || c == '_') {
				upper = true;
			}
			else {
				typeName.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return typeName.toString();
	}

}
