package io.notifylisten.internal.contract;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.channel.TypeFilter;
import io.notifylisten.internal.contract.Contract.ActionChannel;
import io.notifylisten.internal.presence.ClusterPresence;
import io.notifylisten.presence.PresenceMember;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The AsyncAPI 3.0 document of a {@link Contract}: one STOMP server, a channel per entity
 * (any action), per declared action and {@code @NotifyListen} method (its {@code payload}
 * and {@code result} typed), per entity's presence, and the notices and user
 * destinations, each with the operation by which the application sends on it. Channel ids
 * and message names are the ones {@link TypeScriptDeclarations} uses.
 */
final class AsyncApiDocument {

	private static final String VERSION = "3.0.0";

	private static final String SERVER = "notifyListen";

	private static final String NOTIFY_MESSAGE = "NotifyMessage";

	private static final String PRESENCE_MESSAGE = "PresenceMessage";

	// Channel ids are entity names, "entity.action" and "presence-entity"; no entity name
	// holds a '-', so these two never collide with one.
	private static final String NOTICES = "notify-listen-notices";

	/** The extension of an action channel that describes its filter. */
	static final String WHERE_EXTENSION = "x-notify-listen-where";

	private static final String USER = "notify-listen-user";

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private AsyncApiDocument() {
	}

	/**
	 * Write the document.
	 * @param contract what the application declares
	 * @return the document, as a JSON tree
	 */
	static ObjectNode of(Contract contract) {
		ChannelDestinations destinations = contract.destinations();
		Contract.MessageNames names = contract.messageNames();
		ObjectNode document = nodes.objectNode();
		document.put("asyncapi", VERSION);
		document.set("info", info(contract));
		document.put("defaultContentType", "application/json");
		document.putObject("servers").set(SERVER, server(contract));
		ObjectNode channels = document.putObject("channels");
		ObjectNode operations = document.putObject("operations");
		ObjectNode components = document.putObject("components");
		ObjectNode schemas = components.putObject("schemas");
		ObjectNode messages = components.putObject("messages");
		schemas.set(NOTIFY_MESSAGE, notifyMessageSchema());
		message(messages, NOTIFY_MESSAGE, "A notification", schemaRef(NOTIFY_MESSAGE));

		for (String entity : contract.entities()) {
			String name = names.of(entity);
			schemas.set(name, refined(entity, null));
			message(messages, name, "Any action on one " + entity, schemaRef(name));
			ObjectNode channel = channel(channels, entity, destinations.prefix() + entity + ".{id}.{action}",
					entity + "/{id}/{action}",
					"Every action on one " + entity + " (" + entity
							+ " has an access rule or a @NotifyListen method). Declared actions and those with a "
							+ "@NotifyListen method also have a channel of their own.");
			parameter(channel, "id", "Id of the " + entity + ": letters, digits, '_' or '-'; or '*' for every " + entity
					+ " the user may read, each checked when its message is delivered");
			parameter(channel, "action", "The action, as notified: a letter, then letters, digits, '_' or '-'");
			channelMessage(channel, name);
			operation(operations, entity, name, "Notifies the pages listening to one " + entity);
		}

		for (ActionChannel action : contract.channels()) {
			String name = names.of(action);
			schemas.set(name, refined(action.entity(), action));
			String channelName = action.entity() + "/{id}/" + action.action();
			message(messages, name,
					channelName + (action.hasHandler()
							? " with what the @NotifyListen method returned for this connection's user" : ""),
					schemaRef(name));
			ObjectNode channel = channel(channels, action.channelId(),
					destinations.prefix() + action.entity() + ".{id}." + action.action(), channelName,
					action.hasHandler() ? "A @NotifyListen method runs once per listening connection, as its user; "
							+ "what it returns arrives as 'result', for that connection alone. Without a return "
							+ "value the message has no 'result'."
							: "An action the application declares; its messages carry no 'result'.");
			parameter(channel, "id",
					"Id of the " + action.entity() + ", or '*' for every " + action.entity() + " the user may read");
			ObjectNode where = action.filterSchema();
			if (where != null) {
				// AsyncAPI has no place for a STOMP subscription's own header: an
				// extension.
				where.put("description",
						"Filter of a listener to every " + action.entity()
								+ ": only messages whose payload has each field equal to its value (numbers by value). "
								+ "Sent as JSON in the SUBSCRIBE's '" + TypeFilter.HEADER + "' header, and signed as "
								+ action.entity() + "/*/" + action.action() + "?{filter}");
				channel.set(WHERE_EXTENSION, where);
			}
			channelMessage(channel, name);
			operation(operations, action.channelId(), name,
					"Notifies " + channelName + (action.hasHandler() ? " with each listener's result" : ""));
		}

		if (contract.presence()) {
			schemas.set(PresenceMember.class.getSimpleName(), JsonSchemas.of(PresenceMember.class));
			schemas.set(PRESENCE_MESSAGE, presenceSchema());
			ObjectNode presence = message(messages, PRESENCE_MESSAGE, "Who is present on an object",
					schemaRef(PRESENCE_MESSAGE));
			ObjectNode headers = presence.putObject("headers").put("type", "object");
			headers.putObject("properties")
				.putObject(ClusterPresence.FRAME_HEADER)
				.put("type", "string")
				.put("description", "'here': everyone present, first; 'change': who joined and left since")
				.putArray("enum")
				.add("here")
				.add("change");
			for (String entity : contract.entities()) {
				String channelId = PresenceName.PREFIX + entity;
				ObjectNode channel = channel(channels, channelId,
						destinations.presenceDestinationFormat().replace("{entity}", entity),
						PresenceName.PREFIX + entity + "/{id}", "Who else is looking at one " + entity
								+ "; subscribed with a signature for " + PresenceName.PREFIX + entity + "/{id}.");
				parameter(channel, "id", "Id of the " + entity);
				channelMessage(channel, PRESENCE_MESSAGE);
				operation(operations, channelId, PRESENCE_MESSAGE,
						"Tells the pages present on one " + entity + " who is there");
			}
		}

		ObjectNode notices = channel(channels, NOTICES, destinations.noticeDestination(), null,
				"Broadcasts, and notifications addressed to a role or to one connection. The server "
						+ "filters what arrives per connection.");
		channelMessage(notices, NOTIFY_MESSAGE);
		operation(operations, NOTICES, NOTIFY_MESSAGE, "Broadcasts and notifies roles and connections");
		ObjectNode user = channel(channels, USER, destinations.userDestination(), null,
				"Notifications addressed to the logged-in user (Notifier.notifyUser), on every node.");
		channelMessage(user, NOTIFY_MESSAGE);
		operation(operations, USER, NOTIFY_MESSAGE, "Notifies one user");
		return document;
	}

	private static ObjectNode info(Contract contract) {
		ObjectNode info = nodes.objectNode();
		info.put("title", contract.title());
		info.put("version", contract.version());
		info.put("description", "What the pages of this application receive from notify-listen (key '"
				+ contract.destinations().key() + "'). Open the WebSocket with the session cookie and CONNECT "
				+ "with the CSRF token named by GET /rest/pusher/key; each SUBSCRIBE carries, in its 'auth' header, "
				+ "a signature from POST /rest/pusher/auth for the channel ('Order/42/refresh') or presence "
				+ "('presence-Order/42'). The server checks the listen role and the entity's access rule on "
				+ "every SUBSCRIBE and every delivery.");
		return info;
	}

	private static ObjectNode server(Contract contract) {
		ObjectNode server = nodes.objectNode();
		server.put("host", "{host}");
		server.put("protocol", "stomp");
		server.put("protocolVersion", "1.2");
		server.put("pathname", contract.endpoint());
		server.put("description", "STOMP 1.0 to 1.2 over a WebSocket at ws(s)://{host}" + contract.endpoint()
				+ ", served by the application itself.");
		server.putObject("variables")
			.putObject("host")
			.put("description", "The application's host and port, as the browser reaches it");
		return server;
	}

	// entity and action as constants on top of NotifyMessage, the payload, and the result
	// where a handler has one.
	private static ObjectNode refined(String entity, @Nullable ActionChannel action) {
		ObjectNode schema = nodes.objectNode();
		ArrayNode allOf = schema.putArray("allOf");
		allOf.add(schemaRef(NOTIFY_MESSAGE));
		ObjectNode refinement = allOf.addObject();
		refinement.put("type", "object");
		ObjectNode properties = refinement.putObject("properties");
		properties.putObject("entity").put("const", entity);
		if (action != null) {
			properties.putObject("action").put("const", action.action());
			properties.set("payload",
					action.payloadSchema()
						.put("description", action.declared() ? "The payload the application declares for this action"
								: "Values the notifier sent; the application declares none for this action"));
		}
		if (action != null && action.hasResult()) {
			ObjectNode result = JsonSchemas.of(action.resultType());
			result.put("description", "What the @NotifyListen method returned for this connection's user; absent "
					+ "when it returned null");
			properties.set("result", result);
		}
		return schema;
	}

	private static ObjectNode notifyMessageSchema() {
		ObjectNode schema = nodes.objectNode().put("type", "object");
		schema.putArray("required")
			.add("entity")
			.add("id")
			.add("action")
			.add("changedAt")
			.add("notifiedBy")
			.add("payload");
		ObjectNode properties = schema.putObject("properties");
		properties.putObject("entity").put("type", "string").put("description", "Entity name, for example Order");
		properties.putObject("id").put("type", "string").put("description", "Entity id, always as text");
		properties.putObject("action").put("type", "string").put("description", "Action, for example refresh");
		properties.putObject("changedAt")
			.put("type", "string")
			.put("format", "date-time")
			.put("description", "When Notifier was called (ISO-8601, UTC), not when the transaction committed");
		properties.putObject("notifiedBy")
			.put("type", "string")
			.put("description", "Username of the user who notified, or 'system'");
		ObjectNode payload = properties.putObject("payload")
			.put("type", "object")
			.put("description", "Small map of extra values, {} when none were given; never confidential");
		payload.putObject("additionalProperties");
		ObjectNode epoch = properties.putObject("epoch")
			.put("description", "The history the message belongs to; null on messages without a sequence");
		epoch.putArray("type").add("string").add("null");
		properties.putObject("sequence")
			.put("type", "integer")
			.put("minimum", 0)
			.put("description", "Number of the message on its channel within the epoch, from 1; 0 when unnumbered");
		properties.putObject("result")
			.put("description", "What a @NotifyListen method returned for this connection; absent when none ran");
		return schema;
	}

	private static ObjectNode presenceSchema() {
		ObjectNode schema = nodes.objectNode().put("type", "object");
		schema.putArray("required").add("version").add("count");
		ObjectNode properties = schema.putObject("properties");
		properties.putObject("version")
			.put("type", "integer")
			.put("description", "Grows with every change of this object; a message whose version is not above "
					+ "the last one applied is skipped");
		properties.putObject("count").put("type", "integer").put("description", "How many members are present");
		properties.putObject("truncated")
			.put("type", "boolean")
			.put("description", "More members than presence.max-members: only the count is sent");
		for (String list : new String[] { "members", "joining", "leaving" }) {
			properties.putObject(list)
				.put("type", "array")
				.set("items", schemaRef(PresenceMember.class.getSimpleName()));
		}
		properties.set("me", schemaRef(PresenceMember.class.getSimpleName()));
		return schema;
	}

	private static ObjectNode channel(ObjectNode channels, String id, String address, @Nullable String channelName,
			String description) {
		ObjectNode channel = channels.putObject(id);
		channel.put("address", address);
		if (channelName != null) {
			channel.put("title", channelName);
		}
		channel.put("description", description);
		channel.putArray("servers").add(ref("#/servers/" + SERVER));
		channel.putObject("messages");
		return channel;
	}

	private static void parameter(ObjectNode channel, String name, String description) {
		ObjectNode parameters = (channel.get("parameters") instanceof ObjectNode existing) ? existing
				: channel.putObject("parameters");
		parameters.putObject(name).put("description", description);
	}

	private static void channelMessage(ObjectNode channel, String message) {
		((ObjectNode) channel.get("messages")).set(message, ref("#/components/messages/" + message));
	}

	private static ObjectNode message(ObjectNode messages, String name, String summary, ObjectNode payload) {
		ObjectNode message = messages.putObject(name);
		message.put("name", name);
		message.put("contentType", "application/json");
		message.put("summary", summary);
		message.set("payload", payload);
		return message;
	}

	// The application sends on every channel: pages only subscribe.
	private static void operation(ObjectNode operations, String channelId, String message, String summary) {
		ObjectNode operation = operations.putObject("send-" + channelId);
		operation.put("action", "send");
		operation.set("channel", ref("#/channels/" + channelId));
		operation.put("summary", summary);
		operation.putArray("messages").add(ref("#/channels/" + channelId + "/messages/" + message));
	}

	private static ObjectNode schemaRef(String schema) {
		return ref("#/components/schemas/" + schema);
	}

	private static ObjectNode ref(String pointer) {
		return nodes.objectNode().put("$ref", pointer);
	}

}
