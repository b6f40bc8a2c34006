package io.notifylisten.internal.persistence;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.notify.NotifiesChanges;
import io.notifylisten.notify.Notifier;
import jakarta.persistence.EntityManagerFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.hibernate.Hibernate;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Registers the listener that makes {@link NotifiesChanges} entities notify on every
 * Hibernate {@link EntityManagerFactory} the context creates, as it is created: before
 * any code can write through it, and whether Spring Boot or the application built it.
 */
public class EntityChangeListenerRegistrar implements BeanPostProcessor, NotifiedActions {

	private static final Log logger = LogFactory.getLog(EntityChangeListenerRegistrar.class);

	private final ObjectProvider<Notifier> notifier;

	private final Set<SessionFactoryImplementor> registered = ConcurrentHashMap.newKeySet();

	private final List<NotifiedAction> notifiedActions = new CopyOnWriteArrayList<>();

	/**
	 * Create a registrar.
	 * @param notifier the notifier the entities' notifications go through, asked for at
	 * the first commit that makes one
	 */
	public EntityChangeListenerRegistrar(ObjectProvider<Notifier> notifier) {
		this.notifier = notifier;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof EntityManagerFactory entityManagerFactory) {
			register(entityManagerFactory, beanName);
		}
		return bean;
	}

	private void register(EntityManagerFactory entityManagerFactory, String beanName) {
		SessionFactoryImplementor sessionFactory;
		try {
			sessionFactory = entityManagerFactory.unwrap(SessionFactoryImplementor.class);
		}
		catch (RuntimeException ex) {
			logger.info("@NotifiesChanges needs Hibernate; " + beanName + " is "
					+ entityManagerFactory.getClass().getName() + ", whose entities will not notify");
			return;
		}
		if (!this.registered.add(sessionFactory)) {
			return;
		}
		EntityChangeRules rules = EntityChangeRules.of(sessionFactory.getMetamodel());
		if (rules.isEmpty()) {
			return;
		}
		rules.notifiedActions()
			.stream()
			.filter((action) -> this.notifiedActions.stream()
				.noneMatch((known) -> known.entity().equals(action.entity()) && known.action().equals(action.action())))
			.forEach(this.notifiedActions::add);
		EntityChangeListener listener = new EntityChangeListener(rules, new HibernateEntities(sessionFactory),
				this.notifier::getObject);
		EventListenerRegistry listeners = sessionFactory.getEventListenerRegistry();
		listeners.appendListeners(EventType.POST_INSERT, listener);
		listeners.appendListeners(EventType.POST_UPDATE, listener);
		listeners.appendListeners(EventType.POST_DELETE, listener);
	}

	@Override
	public List<NotifiedAction> notifiedActions() {
		return List.copyOf(this.notifiedActions);
	}

	/**
	 * Entities keyed by root entity and id, which a proxy knows without being loaded.
	 */
	private record HibernateEntities(SessionFactoryImplementor sessionFactory) implements TransactionChanges.Entities {

		@Override
		public Object keyOf(Object entityOrProxy) {
			String root = this.sessionFactory.getMappingMetamodel()
				.getEntityDescriptor(Hibernate.getClassLazy(entityOrProxy))
				.getRootEntityName();
			return List.of(root, this.sessionFactory.getPersistenceUnitUtil().getIdentifier(entityOrProxy));
		}

		@Override
		public Object load(Object entityOrProxy) {
			return Hibernate.unproxy(entityOrProxy);
		}

	}

}
