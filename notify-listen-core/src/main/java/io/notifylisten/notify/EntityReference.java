package io.notifylisten.notify;

import java.beans.PropertyDescriptor;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * An entity's name and id as read from its mapping annotations: JPA's
 * {@code @Entity(name)} (else the simple class name) and the field or property marked
 * {@code @Id}, JPA's or Spring Data's.
 *
 * @param name entity name, for example {@code Order}
 * @param id the id value
 */
record EntityReference(String name, Object id) {

	private static final List<Class<? extends Annotation>> ID_ANNOTATIONS = idAnnotations();

	/**
	 * Read the name and id of a persisted object.
	 * @param entity the object
	 * @return its reference
	 * @throws IllegalArgumentException if the object has no {@code @Id} or its id is
	 * {@code null} (not yet persisted)
	 */
	static EntityReference of(Object entity) {
		Class<?> type = ClassUtils.getUserClass(entity);
		Field idField = findIdField(type);
		if (idField == null) {
			throw new IllegalArgumentException(
					type.getSimpleName() + " has no @Id field; notify by name and id instead");
		}
		Object id = readId(entity, idField);
		if (id == null) {
			throw new IllegalArgumentException(type.getSimpleName() + " has no id yet; notify after it is persisted");
		}
		return new EntityReference(nameOf(type), id);
	}

	/**
	 * Return the entity name of a type: JPA's {@code @Entity(name)} where set, else the
	 * simple class name.
	 * @param type the entity type
	 * @return the name
	 */
	public static String nameOf(Class<?> type) {
		Class<?> userType = ClassUtils.getUserClass(type);
		if (JpaAnnotations.PRESENT) {
			String name = JpaAnnotations.entityName(userType);
			if (StringUtils.hasText(name)) {
				return name;
			}
		}
		return userType.getSimpleName();
	}

	private static @Nullable Field findIdField(Class<?> type) {
		Field[] found = new Field[1];
		ReflectionUtils.doWithFields(type, (field) -> {
			if (found[0] == null && ID_ANNOTATIONS.stream().anyMatch((a) -> field.isAnnotationPresent(a))) {
				found[0] = field;
			}
		});
		return found[0];
	}

	// Prefer the getter: on a lazy proxy the field is empty and only the getter reaches
	// the state.
	private static @Nullable Object readId(Object entity, Field idField) {
		PropertyDescriptor property = BeanUtils.getPropertyDescriptor(entity.getClass(), idField.getName());
		if (property != null && property.getReadMethod() != null) {
			ReflectionUtils.makeAccessible(property.getReadMethod());
			return ReflectionUtils.invokeMethod(property.getReadMethod(), entity);
		}
		ReflectionUtils.makeAccessible(idField);
		return ReflectionUtils.getField(idField, entity);
	}

	@SuppressWarnings("unchecked")
	private static List<Class<? extends Annotation>> idAnnotations() {
		List<Class<? extends Annotation>> annotations = new ArrayList<>();
		ClassLoader classLoader = EntityReference.class.getClassLoader();
		for (String name : List.of("jakarta.persistence.Id", "jakarta.persistence.EmbeddedId",
				"org.springframework.data.annotation.Id")) {
			if (ClassUtils.isPresent(name, classLoader)) {
				annotations.add((Class<? extends Annotation>) ClassUtils.resolveClassName(name, classLoader));
			}
		}
		return List.copyOf(annotations);
	}

	/** Kept apart so that JPA stays an optional dependency. */
	private static final class JpaAnnotations {

		static final boolean PRESENT = ClassUtils.isPresent("jakarta.persistence.Entity",
				EntityReference.class.getClassLoader());

		static @Nullable String entityName(Class<?> type) {
			jakarta.persistence.Entity entity = AnnotatedElementUtils.findMergedAnnotation(type,
					jakarta.persistence.Entity.class);
			return (entity != null) ? entity.name() : null;
		}

	}

}
