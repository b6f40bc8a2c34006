package io.notifylisten.internal.security;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.notifylisten.channel.InvalidChannelException;
import io.notifylisten.internal.channel.TypeChannel;
import io.notifylisten.internal.channel.TypeFilter;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.DeclaredAction;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payload fields each action declares filterable
 * ({@link EntityAccessRules.Actions#action(String, Class, String...)}), and the check of
 * a {@link TypeFilter} a client sends against them. A filter names only declared fields,
 * at most {@value #MAX_FIELDS}, each with a string of at most {@value #MAX_VALUE_LENGTH}
 * characters, a number or a boolean; anything else is refused with a short reason.
 */
public final class FilterableFields {

	/** Most fields one filter may name. */
	public static final int MAX_FIELDS = 8;

	/** Longest string value, and longest number, a filter may hold. */
	public static final int MAX_VALUE_LENGTH = 128;

	// Bounds the work before the fields are looked at: eight fields of 128 characters
	// with their names and quotes fit.
	private static final int MAX_TEXT_LENGTH = 2048;

	private static final FilterableFields NONE = new FilterableFields(Map.of());

	// Decimals as BigDecimal, so that 1e999 is a number of excessive length, not
	// Infinity.
	private static final JsonMapper READER = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	/** {@code entity/action} to its filterable fields. */
	private final Map<String, Set<String>> fields;

	private FilterableFields(Map<String, Set<String>> fields) {
		this.fields = Map.copyOf(fields);
	}

	/**
	 * Return the filterable fields the rules declare.
	 * @param rules the application's rules
	 * @return the fields
	 */
	public static FilterableFields of(EntityAccessRules rules) {
		Map<String, Set<String>> fields = new HashMap<>();
		for (String entity : rules.entities()) {
			for (DeclaredAction action : rules.actionsOf(entity)) {
				if (!action.filterable().isEmpty()) {
					fields.put(entity + "/" + action.name(), Set.copyOf(action.filterable()));
				}
			}
		}
		return new FilterableFields(fields);
	}

	/**
	 * Return fields where nothing is filterable.
	 * @return no fields
	 */
	public static FilterableFields none() {
		return NONE;
	}

	/**
	 * Parse and check a filter for a type channel.
	 * @param type the type channel subscribed to
	 * @param json the filter as the client sent it, for example
	 * <code>{"customer":42}</code>
	 * @return the filter
	 * @throws InvalidChannelException if it is not a JSON object of declared fields with
	 * scalar values within the limits
	 */
	public TypeFilter parse(TypeChannel type, String json) {
		if (json.length() > MAX_TEXT_LENGTH) {
			throw new InvalidChannelException("Filter too long");
		}
		JsonNode node;
		try {
			node = READER.readTree(json);
		}
		catch (JacksonException ex) {
			throw new InvalidChannelException("Filter must be a JSON object");
		}
		if (node == null || !node.isObject() || node.isEmpty()) {
			throw new InvalidChannelException("Filter must be a JSON object with at least one field");
		}
		if (node.size() > MAX_FIELDS) {
			throw new InvalidChannelException("Filter has more than " + MAX_FIELDS + " fields");
		}
		Set<String> declared = this.fields.getOrDefault(type.entity() + "/" + type.action(), Set.of());
		TreeMap<String, Object> values = new TreeMap<>();
		for (Map.Entry<String, JsonNode> field : node.properties()) {
			if (!declared.contains(field.getKey())) {
				// The name is the client's: said back only where it is one a declaration
				// could have.
				throw new InvalidChannelException("Field " + (isName(field.getKey()) ? "'" + field.getKey() + "' " : "")
						+ "is not filterable on " + type);
			}
			values.put(field.getKey(), value(field.getValue()));
		}
		return new TypeFilter(values);
	}

	/**
	 * Refuse a filter sent for one object's channel: only a listener to a type is
	 * filtered.
	 * @param where the filter the client sent, or {@code null} where it sent none
	 * @throws InvalidChannelException if it sent one
	 */
	public static void refuseForOneObject(@Nullable String where) {
		if (where != null) {
			throw new InvalidChannelException("Filters are for listeners to a type");
		}
	}

	private static Object value(JsonNode value) {
		if (value.isString()) {
			if (value.stringValue().length() > MAX_VALUE_LENGTH) {
				throw new InvalidChannelException("Filter value longer than " + MAX_VALUE_LENGTH + " characters");
			}
			return value.stringValue();
		}
		if (value.isBoolean()) {
			return value.booleanValue();
		}
		if (value.isNumber()) {
			BigDecimal number = value.decimalValue();
			// The scale first: toPlainString of 1e999999 would be a million characters.
			if (Math.abs((long) number.scale()) > MAX_VALUE_LENGTH
					|| TypeFilter.plain(number).length() > MAX_VALUE_LENGTH) {
				throw new InvalidChannelException("Filter number too long");
			}
			return number;
		}
		throw new InvalidChannelException("Filter values must be strings, numbers or booleans");
	}

	private static boolean isName(String name) {
		return name.length() <= 64 && name.chars().allMatch(Character::isJavaIdentifierPart);
	}

}
