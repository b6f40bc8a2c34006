package io.notifylisten.internal.contract;

import java.lang.reflect.Type;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.security.EntityAccessRules;

/**
 * What an application declares that decides what its pages receive: the entities that may be
 * listened to, the {@code @NotifyListen} methods whose return value arrives as {@code result}, and
 * where the messages go.
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

	public Contract {
		entities = Collections.unmodifiableSortedSet(new TreeSet<>(entities));
		handlers = handlers.stream()
			.sorted(Comparator.comparing(HandlerChannel::entity).thenComparing(HandlerChannel::action))
			.toList();
	}

	/**
	 * Read the contract from what the application declared. Entities that only the application's
	 * {@code PermissionEvaluator} covers have no name to read, so only those with a handler appear.
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
	 * One {@code entity/{id}/action} channel whose messages carry a handler's {@code result}.
	 *
	 * @param entity entity name
	 * @param action action name
	 * @param resultType the handler's return type; {@code void} when it returns nothing
	 */
	public record HandlerChannel(String entity, String action, Type resultType) {

		/**
		 * Return the name both documents give this channel's message.
		 * @return for example {@code OrderRefreshMessage}
		 */
		String messageName() {
			return typeName(this.entity) + typeName(this.action) + "Message";
		}

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

	/**
	 * Return the name both documents give an entity's messages.
	 * @param entity entity name
	 * @return for example {@code OrderMessage}
	 */
	static String entityMessageName(String entity) {
		return typeName(entity) + "Message";
	}

	// Actions may hold '-' and '_', which neither a TypeScript name nor a readable one should.
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
