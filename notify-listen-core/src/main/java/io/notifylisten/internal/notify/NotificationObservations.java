package io.notifylisten.internal.notify;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotifyMessage;

/**
 * The two observations of a notification: {@value #NOTIFY} around its append to the log,
 * and {@value #DELIVERY} around each node's delivery of it to its own connections. The
 * first is a sender and the second a receiver: a tracer writes the notifying request's
 * trace context into the notification's headers, which the log carries to every node, and
 * each node's delivery continues that trace.
 *
 * <p>
 * The trace context travels under a prefix of its own, apart from the targeting headers,
 * and never reaches a browser.
 */
public final class NotificationObservations {

	/** Observation of a notification appended to the log, from the notifying thread. */
	public static final String NOTIFY = "notify.listen.notify";

	/**
	 * Observation of a node handing a notification to its embedded broker, on that node.
	 */
	public static final String DELIVERY = "notify.listen.delivery";

	private static final String TRACE_HEADER_PREFIX = "trace-";

	private NotificationObservations() {
	}

	/**
	 * Observe a notification on its way into the log.
	 * @param registry the registry
	 * @param message the message
	 * @param headers the notification's headers, which the trace context is written into
	 * once the observation starts
	 * @return the observation, not started
	 */
	static Observation notifying(ObservationRegistry registry, NotifyMessage message, Map<String, String> headers) {
		SenderContext<Map<String, String>> context = new SenderContext<>(
				(carrier, key, value) -> carrier.put(TRACE_HEADER_PREFIX + key, value));
		context.setCarrier(headers);
		context.setRemoteServiceName("notify-listen");
		return named(Observation.createNotStarted(NOTIFY, () -> context, registry), "notify", message);
	}

	/**
	 * Observe a node's delivery of a notification, as part of the trace that notified it.
	 * @param registry the registry
	 * @param notification the notification as the log delivered it
	 * @return the observation, not started
	 */
	public static Observation delivering(ObservationRegistry registry, LoggedNotification notification) {
		ReceiverContext<LoggedNotification> context = new ReceiverContext<>(
				(carrier, key) -> carrier.headers().get(TRACE_HEADER_PREFIX + key));
		context.setCarrier(notification);
		context.setRemoteServiceName("notify-listen");
		return named(Observation.createNotStarted(DELIVERY, () -> context, registry), "deliver",
				notification.message());
	}

	/**
	 * Return the headers that go to the broker with a notification: its targeting, not
	 * its trace.
	 * @param headers the notification's headers
	 * @return those without the trace context, as the broker's template takes them
	 */
	public static Map<String, Object> withoutTraceContext(Map<String, String> headers) {
		Map<String, Object> targeting = new LinkedHashMap<>();
		headers.forEach((name, value) -> {
			if (!name.startsWith(TRACE_HEADER_PREFIX)) {
				targeting.put(name, value);
			}
		});
		return targeting;
	}

	// Entity and action are few, as an application names them; the id is one per object.
	private static Observation named(Observation observation, String verb, NotifyMessage message) {
		return observation.contextualName(verb + " " + message.entity() + "/" + message.action())
			.lowCardinalityKeyValue("entity", message.entity())
			.lowCardinalityKeyValue("action", message.action())
			.highCardinalityKeyValue("id", message.id());
	}

}
