package io.notifylisten.internal.history;

import java.util.Map;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.connection.OutboundMessages;
import io.notifylisten.internal.history.ChannelHistory.Recovery;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.NativeMessageHeaderAccessor;

/**
 * Answers a SUBSCRIBE that carries {@value #LAST_EPOCH_HEADER} and
 * {@value #LAST_SEQUENCE_HEADER} with one {@value #RECOVERY_HEADER} frame on that
 * subscription: the messages the client missed, or {@code recovered: false}, which tells
 * it to reload (always so for a type channel).
 *
 * <p>
 * It acts once the broker has registered the subscription, and under the channel's lock,
 * so that every message is either in the recovery frame or delivered live afterwards. The
 * frame and live messages may still reach the socket in either order, which is why the
 * browser client holds live messages of a recovering channel until the frame has arrived
 * and drops duplicates by sequence.
 */
public class RecoveryInterceptor implements ExecutorChannelInterceptor {

	/**
	 * SUBSCRIBE header: the epoch of the last message the client received on the channel.
	 */
	public static final String LAST_EPOCH_HEADER = "last-epoch";

	/** SUBSCRIBE header: the sequence of that message. */
	public static final String LAST_SEQUENCE_HEADER = "last-sequence";

	/** MESSAGE header that marks the recovery frame. */
	public static final String RECOVERY_HEADER = "notify-listen-recovery";

	private final ChannelDestinations destinations;

	private final ChannelHistory history;

	private final JsonMapper jsonMapper;

	private final ObjectProvider<MessageChannel> clientOutboundChannel;

	public RecoveryInterceptor(ChannelDestinations destinations, ChannelHistory history, JsonMapper jsonMapper,
			ObjectProvider<MessageChannel> clientOutboundChannel) {
		this.destinations = destinations;
		this.history = history;
		this.jsonMapper = jsonMapper;
		this.clientOutboundChannel = clientOutboundChannel;
	}

	/**
	 * Whether a message is a recovery frame rather than a notification.
	 * @param message an outbound message
	 * @return whether it carries {@value #RECOVERY_HEADER}
	 */
	public static boolean isRecoveryFrame(Message<?> message) {
		return message.getHeaders().get(NativeMessageHeaderAccessor.NATIVE_HEADERS) instanceof Map<?, ?> headers
				&& headers.containsKey(RECOVERY_HEADER);
	}

	@Override
	public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
			@Nullable Exception ex) {
		if (ex != null || !(handler instanceof AbstractBrokerMessageHandler)
				|| !SimpMessageType.SUBSCRIBE.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()))) {
			return;
		}
		SimpMessageHeaderAccessor subscribe = SimpMessageHeaderAccessor.wrap(message);
		String lastSequence = subscribe.getFirstNativeHeader(LAST_SEQUENCE_HEADER);
		if (lastSequence == null) {
			return;
		}
		ChannelName channelName = this.destinations.channelOrNull(subscribe.getDestination());
		if (channelName == null) {
			// The history is kept per object's channel, not per type: a type cannot be
			// recovered, and the client must not wait for the frame that says so.
			if (this.destinations.typeOrNull(subscribe.getDestination()) != null) {
				send(subscribe, Recovery.failed(this.history.epoch()));
			}
			return;
		}
		long sequence = parse(lastSequence);
		String epoch = subscribe.getFirstNativeHeader(LAST_EPOCH_HEADER);
		this.history.recover(channelName, epoch, sequence, (recovery) -> send(subscribe, recovery));
	}

	private void send(SimpMessageHeaderAccessor subscribe, Recovery recovery) {
		this.clientOutboundChannel.getObject()
			.send(OutboundMessages.replyTo(subscribe, RECOVERY_HEADER, String.valueOf(recovery.recovered()),
					this.jsonMapper.writeValueAsBytes(recovery)));
	}

	private static long parse(String sequence) {
		try {
			return Long.parseLong(sequence);
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
