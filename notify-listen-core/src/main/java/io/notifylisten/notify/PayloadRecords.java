package io.notifylisten.notify;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * How a payload record becomes the payload map a {@link NotifyMessage} carries: one entry
 * per component, named as Jackson names it ({@code @JsonProperty} and {@code @JsonIgnore}
 * followed), so that the map is written as the record would be and matches the contract's
 * schema of the record.
 */
public final class PayloadRecords {

	private PayloadRecords() {
	}

	/**
	 * Return the payload of a record.
	 * @param payload the record
	 * @return its components by JSON name, in declaration order
	 * @throws IllegalArgumentException if a component is {@code null}: a payload holds no
	 * null values, as with {@code Map.of}
	 */
	public static Map<String, Object> toMap(Record payload) {
		Map<String, Object> values = new LinkedHashMap<>();
		for (RecordComponent component : payload.getClass().getRecordComponents()) {
			if (component.getAccessor().isAnnotationPresent(JsonIgnore.class)) {
				continue;
			}
			JsonProperty renamed = component.getAccessor().getAnnotation(JsonProperty.class);
			String name = (renamed != null && StringUtils.hasLength(renamed.value())) ? renamed.value()
					: component.getName();
			ReflectionUtils.makeAccessible(component.getAccessor());
			Object value = ReflectionUtils.invokeMethod(component.getAccessor(), payload);
			if (value == null) {
				throw new IllegalArgumentException("Payload " + payload.getClass().getSimpleName() + "."
						+ component.getName() + " is null: leave a value out with a record without it");
			}
			values.put(name, value);
		}
		return values;
	}

}
