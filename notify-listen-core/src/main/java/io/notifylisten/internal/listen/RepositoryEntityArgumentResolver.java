package io.notifylisten.internal.listen;

import java.util.Optional;
import java.util.function.Supplier;

import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.data.repository.support.DefaultRepositoryInvokerFactory;
import org.springframework.data.repository.support.Repositories;
import org.springframework.data.repository.support.RepositoryInvokerFactory;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.util.function.SingletonSupplier;

/**
 * Resolves a parameter whose type has a Spring Data repository to the entity with the
 * notified id, loaded through that repository (so as the listening user, inside whatever
 * security the repository applies); {@code null} when it no longer exists.
 */
class RepositoryEntityArgumentResolver implements HandlerMethodArgumentResolver {

	private final SingletonSupplier<Repositories> repositories;

	private final SingletonSupplier<RepositoryInvokerFactory> invokers;

	// Repositories are looked up lazily: building them instantiates every repository,
	// which must not happen while the message broker's beans are still being created.
	RepositoryEntityArgumentResolver(Supplier<Repositories> repositories) {
		this.repositories = SingletonSupplier.of(repositories);
		this.invokers = SingletonSupplier.of(() -> new DefaultRepositoryInvokerFactory(this.repositories.obtain()));
	}

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return this.repositories.obtain().hasRepositoryFor(parameter.getParameterType());
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
		NotifyMessage notification = (NotifyMessage) message.getPayload();
		Optional<Object> entity = this.invokers.obtain()
			.getInvokerFor(parameter.getParameterType())
			.invokeFindById(notification.id());
		return entity.orElse(null);
	}

}
