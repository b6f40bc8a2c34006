package io.notifylisten.autoconfigure;

import java.time.Clock;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.delivery.Deliveries;
import io.notifylisten.internal.delivery.DeliveryMeters;
import io.notifylisten.internal.delivery.DeliveryInterceptor;
import io.notifylisten.internal.listen.NotifyListenAnnotationBeanPostProcessor;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.sse.SseStreams;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.convert.support.DefaultConversionService;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of {@link io.notifylisten.listen.NotifyListen @NotifyListen}
 * handler methods.
 */
@AutoConfiguration(after = NotifyListenAutoConfiguration.class,
		afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnBean(NotifyListenProperties.class)
public final class NotifyListenHandlerAutoConfiguration {

	@Bean
	static NotifyListenAnnotationBeanPostProcessor notifyListenAnnotationBeanPostProcessor(
			ObjectProvider<NotifyListenHandlers> handlers) {
		return new NotifyListenAnnotationBeanPostProcessor(handlers);
	}

	@Bean
	@ConditionalOnMissingBean
	NotifyListenHandlers notifyListenHandlers(ListableBeanFactory beanFactory) {
		return new NotifyListenHandlers(DefaultConversionService.getSharedInstance(), beanFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	Deliveries notifyListenDeliveries(ChannelDestinations destinations, NotifyListenHandlers handlers,
			ConnectionRegistry connections, ListenAuthorizer authorizer, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<DeliveryMeters> meters) {
		return new Deliveries(destinations, handlers, connections, authorizer,
				jsonMapper.getIfAvailable(JsonMapper::shared), meters.getIfAvailable(() -> DeliveryMeters.NONE),
				Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	DeliveryInterceptor notifyListenDeliveryInterceptor(Deliveries deliveries, ObjectProvider<SseStreams> sseStreams) {
		return new DeliveryInterceptor(deliveries, sseStreams.getIfAvailable());
	}

}
