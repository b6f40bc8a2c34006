package io.notifylisten.internal.contract;

import java.beans.PropertyDescriptor;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.notifylisten.internal.persistence.NotifiedAction;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.BeanUtils;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * JSON Schemas of the Java types a {@code @NotifyListen} method may return, as Jackson
 * writes them with its defaults: records by their components, other classes by their
 * getters, maps, collections, arrays, enums by name, numbers, text and {@code java.time}
 * values as ISO-8601 text. {@code @JsonProperty} names and {@code @JsonIgnore} are
 * followed. A type it cannot tell ({@code Object}, an interface, a JDK type it does not
 * know, a class where it recurs inside itself, a class written through {@code @JsonValue}
 * or {@code @JsonSerialize}) is {@code {}}, "any JSON", rather than a guess. Mix-ins,
 * naming strategies and serializers registered on the mapper are not seen.
 */
final class JsonSchemas {

	private static final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private static final Set<Class<?>> TEXT = Set.of(String.class, Character.class, char.class, CharSequence.class,
			URI.class);

	private static final Set<Class<?>> DATE_TIME = Set.of(Instant.class, OffsetDateTime.class, ZonedDateTime.class);

	private JsonSchemas() {
	}

	/**
	 * Return the JSON Schema of the JSON a value of this type becomes.
	 * @param type a Java type, generic or not
	 * @return the schema; {@code {}} where it cannot be told
	 */
	static ObjectNode of(Type type) {
		return schema(ResolvableType.forType(type), new HashSet<>());
	}

	/**
	 * Return the JSON Schema of an object with these properties, each present (Jackson
	 * writes nulls too) and nothing else.
	 * @param properties the properties, in order
	 * @return the schema
	 */
	static ObjectNode ofProperties(List<NotifiedAction.PayloadProperty> properties) {
		ObjectNode schema = typed("object");
		ObjectNode described = schema.putObject("properties");
		ArrayNode required = schema.putArray("required");
		for (NotifiedAction.PayloadProperty property : properties) {
			ObjectNode propertySchema = of(property.type());
			described.set(property.name(), property.nullable() ? nullable(propertySchema) : propertySchema);
			required.add(property.name());
		}
		return schema.put("additionalProperties", false);
	}

	// 'enclosing' holds the classes being described on the way down: a type that contains
	// itself (a tree of comments) is described as {} where it recurs instead of without
	// end.
	private static ObjectNode schema(ResolvableType type, Set<Class<?>> enclosing) {
		Class<?> raw = ClassUtils.resolvePrimitiveIfNecessary(type.toClass());
		if (raw == Optional.class) {
			// Jackson writes an empty Optional as null.
			return nullable(schema(type.getGeneric(0), enclosing));
		}
		if (TEXT.contains(raw)) {
			return typed("string");
		}
		if (raw == UUID.class) {
			return typed("string").put("format", "uuid");
		}
		if (DATE_TIME.contains(raw)) {
			return typed("string").put("format", "date-time");
		}
		if (raw == LocalDate.class) {
			return typed("string").put("format", "date");
		}
		if (raw == LocalDateTime.class || raw == LocalTime.class) {
			return typed("string");
		}
		if (raw == Boolean.class) {
			return typed("boolean");
		}
		if (isInteger(raw)) {
			return typed("integer");
		}
		if (Number.class.isAssignableFrom(raw)) {
			return typed("number");
		}
		if (writtenOtherwise(raw)) {
			return nodes.objectNode();
		}
		if (raw.isEnum()) {
			ObjectNode schema = typed("string");
			ArrayNode names = schema.putArray("enum");
			for (Object constant : raw.getEnumConstants()) {
				names.add(((Enum<?>) constant).name());
			}
			return schema;
		}
		if (raw == byte[].class) {
			// Jackson writes bytes as one Base64 text, not as an array of numbers.
			return typed("string").put("contentEncoding", "base64");
		}
		if (raw.isArray() || Collection.class.isAssignableFrom(raw)) {
			ResolvableType element = raw.isArray() ? type.getComponentType() : type.asCollection().getGeneric(0);
			ObjectNode schema = typed("array");
			schema.set("items", schema(element, enclosing));
			return schema;
		}
		if (Map.class.isAssignableFrom(raw)) {
			ObjectNode schema = typed("object");
			schema.set("additionalProperties", schema(type.asMap().getGeneric(1), enclosing));
			return schema;
		}
		if (raw == Object.class || JsonNode.class.isAssignableFrom(raw) || raw.getName().startsWith("java.")
				|| raw.isInterface() || !enclosing.add(raw)) {
			return nodes.objectNode();
		}
		try {
			return raw.isRecord() ? recordSchema(type, raw, enclosing) : beanSchema(raw, enclosing);
		}
		finally {
			enclosing.remove(raw);
		}
	}

	private static ObjectNode recordSchema(ResolvableType type, Class<?> raw, Set<Class<?>> enclosing) {
		ObjectNode schema = typed("object");
		ObjectNode properties = schema.putObject("properties");
		ArrayNode required = schema.putArray("required");
		for (RecordComponent component : raw.getRecordComponents()) {
			Method accessor = component.getAccessor();
			// Through the component's field, so that a generic record's type arguments
			// (Page<OrderView>) resolve against the type asked for.
			Field field = ReflectionUtils.findField(raw, component.getName());
			ResolvableType componentType = (field != null) ? ResolvableType.forField(field, type)
					: ResolvableType.forMethodReturnType(accessor, raw);
			property(properties, required, component.getName(), accessor, componentType, component.getAnnotatedType(),
					enclosing);
		}
		return schema;
	}

	private static ObjectNode beanSchema(Class<?> raw, Set<Class<?>> enclosing) {
		ObjectNode schema = typed("object");
		ObjectNode properties = schema.putObject("properties");
		ArrayNode required = schema.putArray("required");
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(raw)) {
			Method getter = descriptor.getReadMethod();
			if (getter == null || getter.getDeclaringClass() == Object.class) {
				continue;
			}
			ResolvableType propertyType = ResolvableType.forMethodReturnType(getter, raw);
			property(properties, required, descriptor.getName(), getter, propertyType, getter.getAnnotatedReturnType(),
					enclosing);
		}
		if (properties.isEmpty()) {
			// Jackson refuses to write a class without properties: nothing honest to say
			// about it.
			return nodes.objectNode();
		}
		return schema;
	}

	// Jackson writes null values too, so every property is present: required, and
	// nullable where the type says it may be null.
	private static void property(ObjectNode properties, ArrayNode required, String name, AnnotatedElement accessor,
			ResolvableType type, AnnotatedType annotatedType, Set<Class<?>> enclosing) {
		if (accessor.isAnnotationPresent(JsonIgnore.class)) {
			return;
		}
		JsonProperty renamed = accessor.getAnnotation(JsonProperty.class);
		String jsonName = (renamed != null && StringUtils.hasLength(renamed.value())) ? renamed.value() : name;
		ObjectNode schema = schema(type, enclosing);
		if (annotatedType.isAnnotationPresent(Nullable.class)) {
			schema = nullable(schema);
		}
		properties.set(jsonName, schema);
		required.add(jsonName);
	}

	private static ObjectNode nullable(ObjectNode schema) {
		JsonNode type = schema.get("type");
		if (type != null && type.isString()) {
			schema.set("type", nodes.arrayNode().add(type.asString()).add("null"));
		}
		if (schema.get("enum") instanceof ArrayNode names) {
			names.addNull();
		}
		return schema;
	}

	// The class says how Jackson writes it, in a way its components and getters do not
	// show.
	private static boolean writtenOtherwise(Class<?> type) {
		if (type.isAnnotationPresent(JsonSerialize.class)) {
			return true;
		}
		for (Method method : ReflectionUtils.getAllDeclaredMethods(type)) {
			if (method.isAnnotationPresent(JsonValue.class)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isInteger(Class<?> type) {
		return type == Integer.class || type == Long.class || type == Short.class || type == Byte.class
				|| type == BigInteger.class;
	}

	private static ObjectNode typed(String type) {
		return nodes.objectNode().put("type", type);
	}

}
