package io.notifylisten.internal.channel;

import java.math.BigDecimal;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a listener to every object of a type wants of each notification's payload: every
 * field equal to its value, <code>{"customer":42}</code>. Values are strings, numbers and
 * booleans; a value matches only a payload value of the same kind, and numbers by value,
 * so {@code 42} matches {@code 42} whether the payload holds an {@code int}, a
 * {@code long} or {@code 42.0}. A payload without the field does not match.
 *
 * <p>
 * Its {@link #canonical() canonical form} is what a subscription signature covers, so
 * that a signature made for one filter is good for no other: keys sorted, no spaces,
 * strings as JSON writes them, numbers in plain decimal notation without trailing zeros.
 *
 * @param fields field name to a {@link String}, {@link BigDecimal} or {@link Boolean}
 */
public record TypeFilter(SortedMap<String, Object> fields) {

	/** The SUBSCRIBE header that carries the filter, as JSON. */
	public static final String HEADER = "where";

	/** The message header under which a checked filter travels with its SUBSCRIBE. */
	public static final String HEADER_ATTRIBUTE = TypeFilter.class.getName();

	private static final JsonMapper CANONICAL = JsonMapper.builder().build();

	public TypeFilter {
		fields = new TreeMap<>(fields);
	}

	/**
	 * Return the name a subscription signature covers: the type channel, and the filter
	 * where there is one.
	 * @param type the type channel
	 * @param filter its filter, or {@code null}
	 * @return for example <code>Order/&#42;/refresh?{"customer":42}</code>
	 */
	public static String signedName(TypeChannel type, @Nullable TypeFilter filter) {
		return (filter != null) ? type + "?" + filter.canonical() : type.toString();
	}

	/**
	 * Return the filter as the one JSON text a signature covers.
	 * @return for example <code>{"customer":42,"status":"open"}</code>
	 */
	public String canonical() {
		StringBuilder json = new StringBuilder("{");
		this.fields.forEach((name, value) -> {
			if (json.length() > 1) {
				json.append(',');
			}
			json.append(CANONICAL.writeValueAsString(name)).append(':');
			// BigDecimal's own JSON would keep "42.0" apart from "42".
			json.append((value instanceof BigDecimal number) ? plain(number) : CANONICAL.writeValueAsString(value));
		});
		return json.append('}').toString();
	}

	/**
	 * Return whether a notification's payload has every field of this filter, each equal
	 * to its value.
	 * @param payload the notification's {@code payload} object, or {@code null} where it
	 * has none
	 * @return whether it matches
	 */
	public boolean matches(@Nullable JsonNode payload) {
		if (payload == null || !payload.isObject()) {
			return false;
		}
		for (Map.Entry<String, Object> field : this.fields.entrySet()) {
			if (!equal(field.getValue(), payload.get(field.getKey()))) {
				return false;
			}
		}
		return true;
	}

	private static boolean equal(Object wanted, @Nullable JsonNode actual) {
		if (actual == null) {
			return false;
		}
		if (wanted instanceof BigDecimal number) {
			return actual.isNumber() && number.compareTo(actual.decimalValue()) == 0;
		}
		if (wanted instanceof Boolean bool) {
			return actual.isBoolean() && bool == actual.booleanValue();
		}
		return actual.isString() && wanted.equals(actual.stringValue());
	}

	/**
	 * Write a number as the canonical form does: plain decimal, no trailing zeros.
	 * @param number the number
	 * @return its text
	 */
	public static String plain(BigDecimal number) {
		return (number.signum() == 0) ? "0" : number.stripTrailingZeros().toPlainString();
	}

}
