package io.notifylisten.internal.listen;

import io.notifylisten.listen.EntityId;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.listen.PayloadValue;
import io.notifylisten.notify.NotifyMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

/**
 * Resolves the {@link NotifyMessage} itself, {@link EntityId @EntityId} and
 * {@link PayloadValue @PayloadValue} parameters of {@link NotifyListen @NotifyListen}
 * methods.
 */
class NotifyMessageArgumentResolver implements HandlerMethodArgumentResolver {

	private final ConversionService conversionService;

	NotifyMessageArgumentResolver(ConversionService conversionService) {
		this.conversionService = conversionService;
	}

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.getParameterType() == NotifyMessage.class || parameter.hasParameterAnnotation(EntityId.class)
				|| parameter.hasParameterAnnotation(PayloadValue.class);
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
		NotifyMessage notification = (NotifyMessage) message.getPayload();
		if (parameter.getParameterType() == NotifyMessage.class) {
			return notification;
		}
		PayloadValue payloadValue = parameter.getParameterAnnotation(PayloadValue.class);
		Object value = (payloadValue != null) ? notification.payload().get(payloadValue.value()) : notification.id();
		if (value == null) {
			return null;
		}
		return this.conversionService.convert(value, TypeDescriptor.forObject(value), new TypeDescriptor(parameter));
	}

}
