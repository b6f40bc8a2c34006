package io.notifylisten.autoconfigure;

import java.util.Set;
import java.util.TreeSet;

import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.security.EntityAccessPolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.util.ClassUtils;

/**
 * Names, once the context is ready, the entities nobody can listen to because no access
 * rule covers them: those with a {@code @NotifyListen} handler and, where JPA is used,
 * every mapped entity. Failing closed is right, but silently failing closed costs an
 * afternoon.
 */
class UncoveredEntityLogger implements ApplicationListener<ContextRefreshedEvent> {

	private static final Log logger = LogFactory.getLog(UncoveredEntityLogger.class);

	private static final boolean JPA_PRESENT = ClassUtils.isPresent("jakarta.persistence.EntityManagerFactory",
			UncoveredEntityLogger.class.getClassLoader());

	private final EntityAccessPolicy policy;

	UncoveredEntityLogger(EntityAccessPolicy policy) {
		this.policy = policy;
	}

	@Override
	public void onApplicationEvent(ContextRefreshedEvent event) {
		Set<String> uncovered = new TreeSet<>();
		for (String entity : knownEntities(event.getApplicationContext())) {
			if (!this.policy.covers(entity)) {
				uncovered.add(entity);
			}
		}
		if (!uncovered.isEmpty()) {
			logger.warn("notify-listen: nobody can listen to " + uncovered + ": no EntityAccessRules rule and no "
					+ "PermissionEvaluator covers them. Declare rules in an EntityAccessRules bean.");
		}
	}

	Set<String> knownEntities(ApplicationContext context) {
		Set<String> entities = new TreeSet<>();
		context.getBeanProvider(NotifyListenHandlers.class)
			.ifAvailable((handlers) -> entities.addAll(handlers.entities()));
		if (JPA_PRESENT) {
			JpaEntities.addNames(context, entities);
		}
		return entities;
	}

	/** Kept apart so that JPA stays an optional dependency. */
	private static final class JpaEntities {

		static void addNames(ApplicationContext context, Set<String> entities) {
			context.getBeanProvider(jakarta.persistence.EntityManagerFactory.class)
				.forEach((factory) -> factory.getMetamodel()
					.getEntities()
					.forEach((entity) -> entities.add(entity.getName())));
		}

	}

}
