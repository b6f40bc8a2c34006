package io.notifylisten.internal.delivery;

import io.notifylisten.internal.connection.OutboundMessages;
import io.notifylisten.internal.sse.SseStreams;
import io.notifylisten.internal.transport.DeliveryOutcomes.DropReason;
import io.notifylisten.internal.transport.FanOutAware;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.support.ExecutorChannelInterceptor;

/**
 * {@link Deliveries} on Spring's route: the last interceptor on the client outbound
 * channel, where the broker has already turned one notification into one message per
 * subscribed connection. It asks for each message what the connection gets, hands a
 * Server-Sent Event stream's messages to their stream, and reports what became of each.
 *
 * <p>
 * Last, so that what it lets through goes to Spring's STOMP handler and nothing else:
 * after handling, "no exception" then means "written to the session", and no interceptor
 * of the application's can change a message once it was checked.
 */
public final class DeliveryInterceptor implements ExecutorChannelInterceptor, FanOutAware {

	private final Deliveries deliveries;

	private final @Nullable SseStreams sseStreams;

	/**
	 * Create the interceptor.
	 * @param deliveries decides what each connection gets
	 * @param sseStreams takes the messages of Server-Sent Event streams, once checked, or
	 * {@code null} where there are none
	 */
	public DeliveryInterceptor(Deliveries deliveries, @Nullable SseStreams sseStreams) {
		this.deliveries = deliveries;
		this.sseStreams = sseStreams;
	}

	@Override
	public @Nullable Message<?> beforeHandle(Message<?> message, MessageChannel channel, MessageHandler handler) {
		Message<?> deliverable = this.deliveries.deliverable(message);
		SseStreams streams = this.sseStreams;
		if (streams != null && SseStreams.isStream(SimpMessageHeaderAccessor.getSessionId(message.getHeaders()))) {
			// A stream is no WebSocket: its messages go to the stream instead.
			if (deliverable != null && streams.handle(deliverable)
					&& deliverable.getPayload() instanceof byte[] payload) {
				this.deliveries.delivered(payload);
			}
			return OutboundMessages.drop(message);
		}
		return (deliverable != null) ? deliverable : OutboundMessages.drop(message);
	}

	@Override
	public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
			@Nullable Exception ex) {
		if (!this.deliveries.isNotification(message)) {
			return;
		}
		if (ex == null) {
			if (message.getPayload() instanceof byte[] payload) {
				this.deliveries.delivered(payload);
			}
		}
		else {
			this.deliveries.dropped(DropReason.ERROR);
		}
	}

}
