package io.notifylisten.internal.listen;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.notifylisten.listen.NotifyListen;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Finds {@link NotifyListen @NotifyListen} methods on beans and, once every singleton
 * exists, registers them with {@link NotifyListenHandlers}, in the manner of Spring's
 * {@code @JmsListener} and {@code @RabbitListener} processing.
 */
public class NotifyListenAnnotationBeanPostProcessor implements BeanPostProcessor, SmartInitializingSingleton {

	private final ObjectProvider<NotifyListenHandlers> handlers;

	private final Set<Class<?>> classesWithoutHandlers = ConcurrentHashMap.newKeySet();

	private final List<Endpoint> endpoints = new ArrayList<>();

	public NotifyListenAnnotationBeanPostProcessor(ObjectProvider<NotifyListenHandlers> handlers) {
		this.handlers = handlers;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopProxyUtils.ultimateTargetClass(bean);
		if (this.classesWithoutHandlers.contains(targetClass)
				|| !AnnotationUtils.isCandidateClass(targetClass, NotifyListen.class)) {
			return bean;
		}
		Map<Method, NotifyListen> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<NotifyListen>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, NotifyListen.class));
		if (methods.isEmpty()) {
			this.classesWithoutHandlers.add(targetClass);
			return bean;
		}
		synchronized (this.endpoints) {
			methods.forEach((method, annotation) -> this.endpoints
				.add(new Endpoint(bean, AopUtils.selectInvocableMethod(method, bean.getClass()), annotation)));
		}
		return bean;
	}

	@Override
	public void afterSingletonsInstantiated() {
		NotifyListenHandlers registry = this.handlers.getObject();
		synchronized (this.endpoints) {
			this.endpoints
				.forEach((endpoint) -> registry.register(endpoint.bean(), endpoint.method(), endpoint.annotation()));
			this.endpoints.clear();
		}
	}

	private record Endpoint(Object bean, Method method, NotifyListen annotation) {

	}

}
