package io.notifylisten.internal.notify;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.log.LocalDelivery;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotificationLog;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.NativeMessageHeaderAccessor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tracer follows a notification from the request that notified it to each node's
 * delivery: the trace context travels in the notification's headers, through the log, and
 * not to the browser.
 */
class NotificationObservationsTests {

	private final SimpleTracer tracer = new SimpleTracer();

	private final ObservationRegistry observations = ObservationRegistry.create();

	private final List<Message<?>> sentOnA = new CopyOnWriteArrayList<>();

	private final List<Message<?>> sentOnB = new CopyOnWriteArrayList<>();

	NotificationObservationsTests() {
		Propagator propagator = new TraceparentPropagator(this.tracer);
		this.observations.observationConfig()
			.observationHandler(new FirstMatchingCompositeObservationHandler(
					new PropagatingSenderTracingObservationHandler<>(this.tracer, propagator),
					new PropagatingReceiverTracingObservationHandler<>(this.tracer, propagator),
					new DefaultTracingObservationHandler(this.tracer)));
	}

	@Test
	void eachNodesDeliveryContinuesTheTraceOfTheRequestThatNotified() {
		LocalDelivery nodeA = node(this.sentOnA);
		LocalDelivery nodeB = node(this.sentOnB);
		// Two nodes on one log; node B reads the notification as the stream carries it,
		// as JSON.
		NotificationLog log = (notification) -> {
			nodeA.deliver(notification, () -> 1, Instant.now());
			nodeB.deliver(acrossTheWire(notification), () -> 1, Instant.now());
		};
		BrokerNotifier notifier = new BrokerNotifier(log, new ChannelDestinations("shop"), (user) -> "/topic/u",
				Clock.systemUTC(), BrokerNotifier.Options.NONE.withObservationRegistry(() -> this.observations));

		// As Spring MVC observes a request.
		Observation observedRequest = Observation.start("http.server.requests", this.observations);
		try (Observation.Scope scope = observedRequest.openScope()) {
			notifier.notify("Order", 42, "refresh");
		}
		finally {
			observedRequest.stop();
		}
		TracingObservationHandler.TracingContext tracing = observedRequest.getContext()
			.getRequired(TracingObservationHandler.TracingContext.class);
		Span request = tracing.getSpan();

		SimpleSpan notify = span("notify Order/refresh");
		assertThat(notify.getParentId()).isEqualTo(request.context().spanId());
		assertThat(notify.getTraceId()).isEqualTo(request.context().traceId());
		assertThat(notify.getTags()).containsEntry("entity", "Order").containsEntry("action", "refresh");
		List<SimpleSpan> deliveries = this.tracer.getSpans()
			.stream()
			.filter((span) -> span.getName().equals("deliver Order/refresh"))
			.toList();
		assertThat(deliveries).hasSize(2).allSatisfy((delivery) -> {
			assertThat(delivery.getTraceId()).isEqualTo(request.context().traceId());
			assertThat(delivery.getParentId()).isEqualTo(notify.getSpanId());
		});
		assertThat(this.sentOnA).hasSize(1);
		assertThat(this.sentOnB).hasSize(1);
		assertThat(List.of(this.sentOnA.get(0), this.sentOnB.get(0))).as("no trace context for the browser")
			.allSatisfy((message) -> assertThat(nativeHeaders(message)).isEmpty());
	}

	@Test
	void targetingHeadersStillReachTheBrokerBesideTheTraceContext() {
		LocalDelivery nodeA = node(this.sentOnA);
		BrokerNotifier notifier = new BrokerNotifier(
				(notification) -> nodeA.deliver(notification, () -> 1, Instant.now()), new ChannelDestinations("shop"),
				(user) -> "/topic/u", Clock.systemUTC(),
				BrokerNotifier.Options.NONE.withObservationRegistry(() -> this.observations));

		notifier.notifyRole("ROLE_ADMIN", "Broadcast", "all", "banner", Map.of());

		assertThat(nativeHeaders(this.sentOnA.get(0))).containsOnlyKeys(Targeting.ROLE_HEADER);
		assertThat(span("notify Broadcast/banner").getTags()).containsEntry("entity", "Broadcast");
	}

	private LocalDelivery node(List<Message<?>> sent) {
		ExecutorSubscribableChannel brokerChannel = new ExecutorSubscribableChannel();
		brokerChannel.subscribe(sent::add);
		SimpMessagingTemplate template = new SimpMessagingTemplate(brokerChannel);
		return new LocalDelivery(() -> template, new ChannelDestinations("shop"), null, () -> null,
				() -> this.observations);
	}

	private static LoggedNotification acrossTheWire(LoggedNotification notification) {
		JsonMapper json = JsonMapper.shared();
		return json.readValue(json.writeValueAsBytes(notification), LoggedNotification.class);
	}

	private SimpleSpan span(String name) {
		return this.tracer.getSpans()
			.stream()
			.filter((span) -> span.getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No span " + name + " in " + this.tracer.getSpans()));
	}

	private static Map<String, ?> nativeHeaders(Message<?> message) {
		Object headers = message.getHeaders().get(NativeMessageHeaderAccessor.NATIVE_HEADERS);
		if (!(headers instanceof Map<?, ?> map)) {
			return Map.of();
		}
		return map.entrySet()
			.stream()
			.collect(Collectors.toMap((entry) -> (String) entry.getKey(), Map.Entry::getValue));
	}

	/** W3C's {@code traceparent}, as a tracer's propagator writes and reads it. */
	private record TraceparentPropagator(SimpleTracer tracer) implements Propagator {

		@Override
		public List<String> fields() {
			return List.of("traceparent");
		}

		@Override
		public <C> void inject(TraceContext context, C carrier, Setter<C> setter) {
			setter.set(carrier, "traceparent", "00-" + context.traceId() + "-" + context.spanId() + "-01");
		}

		@Override
		public <C> Span.Builder extract(C carrier, Getter<C> getter) {
			String traceparent = getter.get(carrier, "traceparent");
			if (traceparent == null) {
				return this.tracer.spanBuilder();
			}
			String[] parts = traceparent.split("-");
			TraceContext parent = this.tracer.traceContextBuilder()
				.traceId(parts[1])
				.spanId(parts[2])
				.sampled(true)
				.build();
			return this.tracer.spanBuilder().setParent(parent);
		}

	}

}
