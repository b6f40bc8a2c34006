package io.notifylisten.autoconfigure;

import io.notifylisten.internal.persistence.EntityChangeListenerRegistrar;
import io.notifylisten.notify.Notifier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of notifications from entities marked
 * {@link io.notifylisten.notify.NotifiesChanges @NotifiesChanges}: on with Hibernate, an
 * {@code EntityManagerFactory} and the {@link Notifier}. Backs off when the application
 * defines its own {@link EntityChangeListenerRegistrar}.
 */
@AutoConfiguration(after = NotifyListenAutoConfiguration.class,
		afterName = "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration")
@ConditionalOnClass(
		name = { "jakarta.persistence.EntityManagerFactory", "org.hibernate.engine.spi.SessionFactoryImplementor" })
@ConditionalOnBean(value = Notifier.class, type = "jakarta.persistence.EntityManagerFactory")
public final class NotifyListenEntityChangesAutoConfiguration {

	// Static, taking only a provider: a post-processor is made before other beans, and
	// the notifier is needed only at the first commit.
	@Bean
	@ConditionalOnMissingBean
	static EntityChangeListenerRegistrar notifyListenEntityChangeListenerRegistrar(ObjectProvider<Notifier> notifier) {
		return new EntityChangeListenerRegistrar(notifier);
	}

}
