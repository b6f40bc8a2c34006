package io.notifylisten.internal.contract;

import java.lang.reflect.Type;
import java.util.ArrayList;
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
import io.notifylisten.internal.persistence.NotifiedAction;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.DeclaredAction;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an application declares that decides what its pages receive: the entities that may
 * be listened to, their actions with the payload each declares, the {@code @NotifyListen}
 * methods whose return value arrives as {@code result}, and where the messages go.
 *
 * @param title what the documents call the application
 * @param version the application's version, as the documents show it
 * @param destinations the key's STOMP destinations
 * @param endpoint path of the STOMP-over-WebSocket endpoint
 * @param presence whether pages may subscribe to an object's presence
 * @param entities entities with an access rule, a handler or {@code @NotifiesChanges}, in
 * name order
 * @param channels one per declared action and per {@code @NotifyListen} method, in entity
 * and action order
 */
public record Contract(String title, String version, ChannelDestinations destinations, String endpoint,
		boolean presence, Set<String> entities, List<ActionChannel> channels) {

	/** Names both documents declare themselves, which no entity or channel may take. */
	private static final Set<String> BUILT_IN_NAMES = Set.of("NotifyMessage", "PresenceMessage", "ChannelMessages",
			"EntityName");

	public Contract {
		entities = Collections.unmodifiableSortedSet(new TreeSet<>(entities));
		channels = channels.stream()
			.sorted(Comparator.comparing(ActionChannel::entity).thenComparing(ActionChannel::action))
			.toList();
	}

	/**
	 * Return the name both documents give each entity's and each action channel's
	 * message: one name each, none of them a built-in one. An entity {@code OrderRefresh}
	 * beside the channel {@code Order/refresh}, or an entity {@code Notify}, would
	 * otherwise declare one name twice.
	 * @return the names, by entity name and by {@link ActionChannel#channelId()}
	 */
	MessageNames messageNames() {
		Set<String> taken = new HashSet<>(BUILT_IN_NAMES);
		Map<String, String> ofEntities = new LinkedHashMap<>();
		for (String entity : this.entities) {
			ofEntities.put(entity, unique(taken, typeName(entity), typeName(entity) + "Entity"));
		}
		Map<String, String> ofChannels = new LinkedHashMap<>();
		for (ActionChannel channel : this.channels) {
			ofChannels.put(channel.channelId(), unique(taken, typeName(channel.entity()) + typeName(channel.action()),
					typeName(channel.entity()) + "_" + typeName(channel.action())));
		}
		return new MessageNames(ofEntities, ofChannels);
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
	 * @param ofChannels by action channel id
	 */
	record MessageNames(Map<String, String> ofEntities, Map<String, String> ofChannels) {

		String of(String entity) {
			return this.ofEntities.get(entity);
		}

		String of(ActionChannel channel) {
			return this.ofChannels.get(channel.channelId());
		}

	}

	/**
	 * Read the contract from what the application declared. Entities that only the
	 * application's {@code PermissionEvaluator} covers have no name to read, so only
	 * those with a rule or a handler appear.
	 * @param title what the documents call the application
	 * @param version the application's version
	 * @param destinations the key's destinations
	 * @param endpoint path of the WebSocket endpoint
	 * @param presence whether presence is on
	 * @param rules the access rules, with the actions they declare
	 * @param handlers the registered handlers
	 * @return the contract
	 */
	public static Contract of(String title, String version, ChannelDestinations destinations, String endpoint,
			boolean presence, EntityAccessRules rules, NotifyListenHandlers handlers) {
		return of(title, version, destinations, endpoint, presence, rules, handlers, List.of());
	}

	/**
	 * Read the contract from what the application declared, the actions of its
	 * {@code @NotifiesChanges} entities included. Where the access rules declare the same
	 * action, theirs is the payload the documents give.
	 * @param title what the documents call the application
	 * @param version the application's version
	 * @param destinations the key's destinations
	 * @param endpoint path of the WebSocket endpoint
	 * @param presence whether presence is on
	 * @param rules the access rules, with the actions they declare
	 * @param handlers the registered handlers
	 * @param notifiedActions the actions {@code @NotifiesChanges} entities notify
	 * @return the contract
	 */
	public static Contract of(String title, String version, ChannelDestinations destinations, String endpoint,
			boolean presence, EntityAccessRules rules, NotifyListenHandlers handlers,
			List<NotifiedAction> notifiedActions) {
		Map<String, ActionChannel> channels = new LinkedHashMap<>();
		Set<String> entities = new TreeSet<>(rules.entities());
		for (String entity : rules.entities()) {
			for (DeclaredAction action : rules.actionsOf(entity)) {
				ActionChannel channel = ActionChannel.declared(entity, action.name(), action.payload())
					.withFilterable(action.filterable());
				channels.put(channel.channelId(), channel);
			}
		}
		for (NotifiedAction notified : notifiedActions) {
			ActionChannel channel = ActionChannel.notified(notified);
			channels.putIfAbsent(channel.channelId(), channel);
			entities.add(notified.entity());
		}
		for (NotifyListenHandlers.Declaration declaration : handlers.declarations()) {
			Type result = declaration.method().getGenericReturnType();
			ActionChannel handled = ActionChannel.handled(declaration.entity(), declaration.action(), result);
			channels.merge(handled.channelId(), handled, (declared, handler) -> declared.withResult(result));
			entities.add(declaration.entity());
		}
		return new Contract(title, version, destinations, endpoint, presence, entities,
				new ArrayList<>(channels.values()));
	}

	/**
	 * One {@code entity/{id}/action} channel: an action the application declared, one a
	 * {@code @NotifyListen} method handles, or both.
	 *
	 * @param entity entity name
	 * @param action action name
	 * @param declared whether the application declared the action, and so its payload
	 * @param payloadType the record its payload is; {@code null} when it has none, when
	 * its properties are given instead, or when the action is not declared and its
	 * payload is not known
	 * @param payloadProperties the properties of a payload that no record declares (an
	 * entity's {@code @NotifiesChanges} payload), empty otherwise
	 * @param resultType the handler's return type; {@code null} without a handler,
	 * {@code void} when it returns nothing
	 * @param filterable the payload's fields a listener to every object may filter on
	 */
	public record ActionChannel(String entity, String action, boolean declared, @Nullable Type payloadType,
			List<NotifiedAction.PayloadProperty> payloadProperties, @Nullable Type resultType,
			List<String> filterable) {

		public ActionChannel {
			filterable = List.copyOf(filterable);
		}

		/**
		 * A channel the application declared, without a handler.
		 * @param entity entity name
		 * @param action action name
		 * @param payloadType the payload's record, or {@code null} for none
		 * @return the channel
		 */
		public static ActionChannel declared(String entity, String action, @Nullable Type payloadType) {
			return new ActionChannel(entity, action, true, payloadType, List.of(), null, List.of());
		}

		/**
		 * A channel an entity's {@code @NotifiesChanges} notifies, with its payload's
		 * properties.
		 * @param notified the action
		 * @return the channel
		 */
		public static ActionChannel notified(NotifiedAction notified) {
			return new ActionChannel(notified.entity(), notified.action(), true, null, notified.payload(), null,
					List.of());
		}

		/**
		 * A channel known only from its handler, whose payload nothing declares.
		 * @param entity entity name
		 * @param action action name
		 * @param resultType the handler's return type
		 * @return the channel
		 */
		public static ActionChannel handled(String entity, String action, Type resultType) {
			return new ActionChannel(entity, action, false, null, List.of(), resultType, List.of());
		}

		ActionChannel withResult(Type resultType) {
			return new ActionChannel(this.entity, this.action, this.declared, this.payloadType, this.payloadProperties,
					resultType, this.filterable);
		}

		/**
		 * Return this channel with the payload fields a listener to every object may
		 * filter on.
		 * @param filterable components of the payload's record
		 * @return the channel
		 */
		public ActionChannel withFilterable(List<String> filterable) {
			return new ActionChannel(this.entity, this.action, this.declared, this.payloadType, this.payloadProperties,
					this.resultType, filterable);
		}

		/**
		 * Return the JSON Schema of the filter a listener to every object may send: an
		 * object of the filterable fields, each with its schema in the payload's, none of
		 * them required.
		 * @return the schema, or {@code null} where no field is filterable
		 */
		@Nullable ObjectNode filterSchema() {
			if (this.filterable.isEmpty()) {
				return null;
			}
			JsonNode properties = payloadSchema().path("properties");
			ObjectNode schema = JsonNodeFactory.instance.objectNode().put("type", "object");
			ObjectNode fields = schema.putObject("properties");
			this.filterable.forEach((field) -> fields.set(field, properties.path(field).deepCopy()));
			schema.put("additionalProperties", false);
			return schema;
		}

		/**
		 * Return the id of this channel in the AsyncAPI document.
		 * @return for example {@code Order.refresh}
		 */
		String channelId() {
			return this.entity + "." + this.action;
		}

		boolean hasHandler() {
			return this.resultType != null;
		}

		boolean hasResult() {
			return this.resultType != null && this.resultType != void.class && this.resultType != Void.class;
		}

		/**
		 * Return the JSON Schema of the payload: the declared record's, an object of the
		 * entity's declared properties, an object with no property when the action
		 * declares none, any object when nothing declares it.
		 * @return the schema
		 */
		ObjectNode payloadSchema() {
			if (this.payloadType != null) {
				return JsonSchemas.of(this.payloadType);
			}
			if (!this.payloadProperties.isEmpty()) {
				return JsonSchemas.ofProperties(this.payloadProperties);
			}
			ObjectNode schema = JsonNodeFactory.instance.objectNode().put("type", "object");
			if (this.declared) {
				schema.put("additionalProperties", false);
			}
			else {
				schema.putObject("additionalProperties");
			}
			return schema;
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
