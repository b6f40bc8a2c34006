package io.notifylisten.internal.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.notifylisten.internal.broker.FanOutMemo;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.log.BrokerConnection;
import io.notifylisten.internal.delivery.DeliveryMeters;
import io.notifylisten.internal.transport.DeliveryOutcomes;
import org.jspecify.annotations.Nullable;

import org.springframework.context.event.EventListener;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;
import org.springframework.web.socket.messaging.SessionSubscribeEvent;
import org.springframework.web.socket.messaging.SessionUnsubscribeEvent;

/**
 * Keeps notify-listen's meters: {@value #CONNECTIONS}, {@value #SUBSCRIPTIONS},
 * {@value #NOTIFIED}, {@value #DELIVERED}, {@value #DROPPED} (tagged with the
 * {@code reason}: {@code denied}, {@code slow}, {@code closed} or {@code error}),
 * {@value #DELIVERY_LATENCY} and, with several nodes, {@value #STREAM_REJECTED} (see
 * {@link #streamMeters}). It hears what became of each message from the delivery rules,
 * whichever route the message took. A {@link MeterBinder}: Spring Boot binds it to the
 * application's registry.
 */
public final class NotifyListenMetrics implements MeterBinder, DeliveryMeters {

	/** Gauge of the STOMP connections that passed CONNECT on this node. */
	public static final String CONNECTIONS = "notify.listen.connections";

	/** Gauge of the subscriptions that passed SUBSCRIBE on this node. */
	public static final String SUBSCRIPTIONS = "notify.listen.subscriptions";

	/** Counter of notifications handed to the broker by this node. */
	public static final String NOTIFIED = "notify.listen.notified";

	/** Counter of notification messages handed to a connection's WebSocket session. */
	public static final String DELIVERED = "notify.listen.delivered";

	/**
	 * Counter of notification messages that reached this node's outbound channel but no
	 * socket.
	 */
	public static final String DROPPED = "notify.listen.dropped";

	/**
	 * Counter of notification messages that waited for a client reading too slowly and
	 * were replaced by a later one of their channel.
	 */
	public static final String CONFLATED = "notify.listen.conflated";

	/**
	 * Timer from a message's {@code changedAt} to its hand-off to the WebSocket session.
	 */
	public static final String DELIVERY_LATENCY = "notify.listen.delivery.latency";

	/**
	 * Counter of records read from the stream and dropped because they do not verify,
	 * tagged with the {@code reason}; several nodes only.
	 */
	public static final String STREAM_REJECTED = "notify.listen.stream.rejected";

	private static final byte[] CHANGED_AT = "\"changedAt\":\"".getBytes(StandardCharsets.US_ASCII);

	private final ChannelDestinations destinations;

	private final Clock clock;

	private final ConnectionRegistry connections;

	/** The meters of each registry bound to; until one is, nothing is counted. */
	private final List<Meters> meters = new CopyOnWriteArrayList<>();

	private final AtomicLong subscriptions = new AtomicLong();

	/**
	 * Subscription ids per session, so that a disconnect takes away exactly what it held.
	 */
	private final Map<String, Set<String>> sessionSubscriptions = new ConcurrentHashMap<>();

	/** One parse of {@code changedAt} per fan-out instead of one per connection. */
	private final FanOutMemo<byte[], Instant> changedAtOfPayload = new FanOutMemo<>(this::parseChangedAt);

	/**
	 * The same where each connection's payload is an array of its own
	 * ({@code @NotifyListen} results): {@code Instant.parse} per delivery was a tenth of
	 * the outbound threads' samples there.
	 */
	private final FanOutMemo<String, Instant> changedAtOfText = new FanOutMemo<>(NotifyListenMetrics::parseInstant);

	public NotifyListenMetrics(ConnectionRegistry connections, ChannelDestinations destinations, Clock clock) {
		this.connections = connections;
		this.destinations = destinations;
		this.clock = clock;
	}

	/**
	 * Return the meters of the stream that several nodes share: the records dropped
	 * because they do not verify, by reason.
	 * @param stream the node's connection to the stream
	 * @return a binder that Spring Boot binds to the application's registry
	 */
	public static MeterBinder streamMeters(BrokerConnection stream) {
		return (registry) -> stream.rejectedRecords()
			.keySet()
			.forEach((reason) -> FunctionCounter
				.builder(STREAM_REJECTED, stream, (connection) -> connection.rejectedRecords().get(reason))
				.description("Records of the stream dropped because they do not carry this application's signature")
				.tag("reason", reason)
				.register(registry));
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(CONNECTIONS, this.connections, (open) -> open.connections().size())
			.description("STOMP connections that passed CONNECT")
			.register(registry);
		Gauge.builder(SUBSCRIPTIONS, this.subscriptions, AtomicLong::get)
			.description("Subscriptions that passed SUBSCRIBE")
			.register(registry);
		Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
		for (DropReason reason : DropReason.values()) {
			dropped.put(reason, Counter.builder(DROPPED)
				.description("Notification messages refused on delivery or that did not reach the socket, by reason")
				.tag("reason", reason.tag())
				.register(registry));
		}
		this.meters.add(new Meters(
				Counter.builder(NOTIFIED).description("Notifications handed to the broker").register(registry),
				Counter.builder(DELIVERED)
					.description("Notification messages handed to a WebSocket session")
					.register(registry),
				dropped,
				Counter.builder(CONFLATED)
					.description(
							"Notification messages waiting for a slow client replaced by a later one of their channel")
					.register(registry),
				Timer.builder(DELIVERY_LATENCY)
					.description("Time from the notification's changedAt to hand-off to the WebSocket session")
					.publishPercentileHistogram()
					.minimumExpectedValue(Duration.ofMillis(1))
					.maximumExpectedValue(Duration.ofSeconds(10))
					.register(registry)));
	}

	/**
	 * Return the interceptor for the broker channel, which counts notifications.
	 * @return the interceptor
	 */
	public ChannelInterceptor brokerChannelInterceptor() {
		return new ChannelInterceptor() {
			@Override
			public void afterSendCompletion(Message<?> message, MessageChannel channel, boolean sent,
					@Nullable Exception ex) {
				if (sent && ex == null && isNotification(message)) {
					NotifyListenMetrics.this.meters.forEach((meters) -> meters.notified().increment());
				}
			}
		};
	}

	@EventListener
	void onSubscribe(SessionSubscribeEvent event) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.wrap(event.getMessage());
		String sessionId = headers.getSessionId();
		String subscriptionId = headers.getSubscriptionId();
		if (sessionId != null && subscriptionId != null
				&& this.sessionSubscriptions.computeIfAbsent(sessionId, (id) -> ConcurrentHashMap.newKeySet())
					.add(subscriptionId)) {
			this.subscriptions.incrementAndGet();
		}
	}

	@EventListener
	void onUnsubscribe(SessionUnsubscribeEvent event) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.wrap(event.getMessage());
		Set<String> held = (headers.getSessionId() != null) ? this.sessionSubscriptions.get(headers.getSessionId())
				: null;
		if (held != null && headers.getSubscriptionId() != null && held.remove(headers.getSubscriptionId())) {
			this.subscriptions.decrementAndGet();
		}
	}

	@EventListener
	void onDisconnect(SessionDisconnectEvent event) {
		Set<String> held = this.sessionSubscriptions.remove(event.getSessionId());
		if (held != null) {
			this.subscriptions.addAndGet(-held.size());
		}
	}

	@Override
	public void delivered(byte[] payload) {
		if (this.meters.isEmpty()) {
			return;
		}
		Instant changedAt = this.changedAtOfPayload.get(payload);
		Duration elapsed = (changedAt != null) ? Duration.between(changedAt, this.clock.instant()) : null;
		for (Meters meters : this.meters) {
			meters.delivered().increment();
			if (elapsed != null && !elapsed.isNegative()) {
				meters.latency().record(elapsed.toNanos(), TimeUnit.NANOSECONDS);
			}
		}
	}

	@Override
	public void dropped(DropReason reason) {
		for (Meters meters : this.meters) {
			meters.dropped().get(reason).increment();
		}
	}

	@Override
	public void folded(int messages) {
		for (Meters meters : this.meters) {
			meters.conflated().increment(messages);
		}
	}

	private boolean isNotification(Message<?> message) {
		if (!SimpMessageType.MESSAGE.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()))) {
			return false;
		}
		String destination = SimpMessageHeaderAccessor.getDestination(message.getHeaders());
		return destination != null && destination.startsWith(this.destinations.prefix());
	}

	private @Nullable Instant parseChangedAt(byte[] json) {
		String text = changedAtText(json);
		return (text != null) ? this.changedAtOfText.get(text) : null;
	}

	// A scan for one field rather than a JSON parse: this runs on the outbound path, once
	// per fan-out on the embedded broker and once per delivery where payloads are not
	// shared.
	static @Nullable String changedAtText(byte[] json) {
		int start = indexOf(json, CHANGED_AT);
		if (start < 0) {
			return null;
		}
		start += CHANGED_AT.length;
		int end = start;
		while (end < json.length && json[end] != '"') {
			end++;
		}
		return new String(json, start, end - start, StandardCharsets.US_ASCII);
	}

	private static @Nullable Instant parseInstant(String text) {
		try {
			return Instant.parse(text);
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private record Meters(Counter notified, Counter delivered, Map<DropReason, Counter> dropped, Counter conflated,
			Timer latency) {

	}

}
