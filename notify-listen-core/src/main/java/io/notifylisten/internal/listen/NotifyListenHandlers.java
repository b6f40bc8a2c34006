package io.notifylisten.internal.listen;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.listen.EntityId;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.listen.PayloadValue;
import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.convert.ConversionService;
import org.springframework.data.repository.support.Repositories;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.annotation.support.PrincipalMethodArgumentResolver;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.util.ClassUtils;

/**
 * The {@link NotifyListen @NotifyListen} methods of the application, one per entity and
 * action, ready to invoke through Spring's {@link DefaultMessageHandlerMethodFactory}.
 */
public class NotifyListenHandlers {

	private final SecurityContextHolderStrategy securityContexts = SecurityContextHolder.getContextHolderStrategy();

	private static final boolean SPRING_DATA_PRESENT = ClassUtils.isPresent(
			"org.springframework.data.repository.support.Repositories", NotifyListenHandlers.class.getClassLoader());

	private final List<HandlerMethodArgumentResolver> argumentResolvers;

	private final DefaultMessageHandlerMethodFactory methodFactory;

	private final Map<String, InvocableHandlerMethod> handlers = new ConcurrentHashMap<>();

	/**
	 * Create the registry.
	 * @param conversionService converts ids and payload values to parameter types
	 * @param beanFactory where to find Spring Data repositories to load entity parameters
	 * with, or {@code null} for none
	 */
	public NotifyListenHandlers(ConversionService conversionService, @Nullable ListableBeanFactory beanFactory) {
		List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>();
		resolvers.add(new NotifyMessageArgumentResolver(conversionService));
		resolvers.add(new PrincipalMethodArgumentResolver());
		if (beanFactory != null && SPRING_DATA_PRESENT) {
			resolvers.add(SpringData.entityResolver(beanFactory));
		}
		this.argumentResolvers = List.copyOf(resolvers);
		this.methodFactory = new DefaultMessageHandlerMethodFactory();
		this.methodFactory.setConversionService(conversionService);
		this.methodFactory.setCustomArgumentResolvers(resolvers);
		this.methodFactory.afterPropertiesSet();
	}

	/**
	 * Register a handler method.
	 * @param bean the bean that declares it
	 * @param method the method, invocable on {@code bean}
	 * @param annotation its annotation
	 * @throws IllegalStateException if the names are invalid, a parameter cannot be
	 * resolved, or the entity and action already have a handler
	 */
	public void register(Object bean, Method method, NotifyListen annotation) {
		String where = ClassUtils.getQualifiedMethodName(method);
		if (!ChannelName.isValidEntity(annotation.entity()) || !ChannelName.isValidAction(annotation.action())) {
			throw new IllegalStateException("@NotifyListen on " + where + " names an invalid entity or action: "
					+ annotation.entity() + "/" + annotation.action());
		}
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			parameter.initParameterNameDiscovery(new DefaultParameterNameDiscoverer());
			if (this.argumentResolvers.stream().noneMatch((resolver) -> resolver.supportsParameter(parameter))) {
				throw new IllegalStateException("@NotifyListen on " + where + ": cannot resolve parameter '"
						+ parameter.getParameterName() + "'. Use NotifyMessage, Principal, @EntityId, @PayloadValue "
						+ "or an entity type that has a Spring Data repository");
			}
		}
		String key = key(annotation.entity(), annotation.action());
		InvocableHandlerMethod handler = this.methodFactory.createInvocableHandlerMethod(bean, method);
		InvocableHandlerMethod existing = this.handlers.putIfAbsent(key, handler);
		if (existing != null) {
			throw new IllegalStateException(
					"@NotifyListen for " + annotation.entity() + "/" + annotation.action() + " is declared twice: on "
							+ where + " and on " + ClassUtils.getQualifiedMethodName(existing.getMethod()));
		}
	}

	/**
	 * Return the handler for an entity and action.
	 * @param entity entity name
	 * @param action action name
	 * @return the handler, or {@code null}
	 */
	public @Nullable InvocableHandlerMethod find(String entity, String action) {
		return this.handlers.get(key(entity, action));
	}

	/**
	 * Run a handler as a listening user: with that user in the security context, and as
	 * the {@link java.security.Principal} and session of the message it is given.
	 * @param handler the handler, from {@link #find}
	 * @param notification what was notified
	 * @param user the listening user
	 * @param sessionId the listening connection's session
	 * @return what the handler returned, or {@code null}
	 * @throws Exception what the handler threw, such as Spring Security's
	 * {@code AccessDeniedException}
	 */
	public @Nullable Object invokeAs(InvocableHandlerMethod handler, NotifyMessage notification, Authentication user,
			String sessionId) throws Exception {
		SecurityContext previous = this.securityContexts.getContext();
		SecurityContext context = this.securityContexts.createEmptyContext();
		context.setAuthentication(user);
		this.securityContexts.setContext(context);
		try {
			Message<NotifyMessage> invocation = MessageBuilder.withPayload(notification)
				.setHeader(SimpMessageHeaderAccessor.USER_HEADER, user)
				.setHeader(SimpMessageHeaderAccessor.SESSION_ID_HEADER, sessionId)
				.build();
			return handler.invoke(invocation);
		}
		finally {
			this.securityContexts.setContext(previous);
		}
	}

	/**
	 * Return the entities that have at least one handler.
	 * @return entity names
	 */
	public Set<String> entities() {
		Set<String> entities = new TreeSet<>();
		this.handlers.keySet().forEach((key) -> entities.add(key.substring(0, key.indexOf('/'))));
		return entities;
	}

	/**
	 * Return every handler, in the order of its entity and action, for tools that
	 * describe what a page receives (the AsyncAPI contract).
	 * @return the declared handlers
	 */
	public List<Declaration> declarations() {
		return this.handlers.entrySet().stream().map((entry) -> {
			int slash = entry.getKey().indexOf('/');
			return new Declaration(entry.getKey().substring(0, slash), entry.getKey().substring(slash + 1),
					entry.getValue().getMethod());
		}).sorted(Comparator.comparing(Declaration::entity).thenComparing(Declaration::action)).toList();
	}

	private static String key(String entity, String action) {
		return entity + "/" + action;
	}

	/**
	 * One {@link NotifyListen @NotifyListen} method and the channels it answers.
	 *
	 * @param entity entity name
	 * @param action action name
	 * @param method the method; its return type is the {@code result} a page receives
	 */
	public record Declaration(String entity, String action, Method method) {

	}

	/**
	 * Kept apart so that Spring Data stays an optional dependency: loaded only where it
	 * is present.
	 */
	private static final class SpringData {

		static HandlerMethodArgumentResolver entityResolver(ListableBeanFactory beanFactory) {
			return new RepositoryEntityArgumentResolver(() -> new Repositories(beanFactory));
		}

	}

}
