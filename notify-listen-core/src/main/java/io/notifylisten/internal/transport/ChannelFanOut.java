package io.notifylisten.internal.transport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.broker.ChannelSubscriptionRegistry;
import io.notifylisten.internal.broker.FanOutMemo;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.transport.DeliveryOutcomes.DropReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.AbstractMessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.messaging.support.ImmutableMessageChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderInitializer;
import org.springframework.messaging.support.NativeMessageHeaderAccessor;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.socket.CloseStatus;

/**
 * Fans a channel notification out from the embedded broker straight into the outboxes of
 * the subscribed WebSocket connections: one encoding of the frame for all of them, and
 * per connection the delivery check, the two headers that differ, and the write.
 *
 * <p>
 * Why: Spring's simple broker turns one notification into one message per subscriber (a
 * copy of its headers), sends each through the client outbound channel (a task and the
 * interceptor chain), and its STOMP handler copies the headers again and encodes the
 * frame. For one notification to 10,000 connections that per-subscriber work was most of
 * the server's CPU outside the kernel (the benchmark's fan-out scenario, BENCHMARKS.md,
 * "Direct fan-out"). Here it is one lookup of the subscribers, and per connection a small
 * task in the same outbox Spring's path uses, so a connection's messages keep their order
 * whichever path they take.
 *
 * <p>
 * It sits on the broker channel, in front of the simple broker, and takes only what it
 * can deliver exactly as Spring's path would: messages to a channel destination that
 * every allowed subscriber gets unchanged (see {@link DeliveryCheck}). Everything else
 * (notices, users' topics, channels with {@code @NotifyListen} handlers, pattern
 * subscriptions, Server-Sent Event streams) goes on to the broker. It is only started
 * where the two paths cannot tell apart: the client outbound channel carries
 * notify-listen's interceptors alone (an application's own interceptor there expects to
 * see every message) and the outboxes as its executor, and the broker has no header
 * initializer. Its writes count as a connection's activity as any other write does, so a
 * connection that gets notifications needs no heart-beats ({@link OutgoingHeartbeats}).
 * Unlike Spring's broker, which sends only to sessions it has seen CONNECT, this writes
 * to any connection that passed CONNECT (access checked as ever): a client that
 * subscribes before its CONNECTED frame arrives may see a message first. Browser clients
 * and Spring's wait for CONNECTED.
 */
public final class ChannelFanOut implements ExecutorChannelInterceptor, FanOutAware {

	private static final Log logger = LogFactory.getLog(ChannelFanOut.class);

	private static final MimeType BINARY = MimeTypeUtils.APPLICATION_OCTET_STREAM;

	/**
	 * The header of a message that replaced earlier ones of its channel while the client
	 * read too slowly: how many (see {@link ConnectionOutboxes}).
	 */
	static final String FOLDED_HEADER = "notify-listen-folded";

	/**
	 * Message ids as Spring's STOMP handler makes them (session id, dash, a number unique
	 * on the node), with an {@code f} before the number so that they never equal one of
	 * Spring's.
	 */
	private final AtomicLong messageIds = new AtomicLong();

	/** Notifications taken from the broker, for tests. */
	private final LongAdder fanOuts = new LongAdder();

	private final FanOutStompEncoder encoder = new FanOutStompEncoder();

	private final FanOutMemo<String, ChannelName> channelOfDestination;

	private final OutboundTransport sessions;

	private final ConnectionOutboxes outboxes;

	private final DeliveryCheck check;

	private final DeliveryOutcomes outcomes;

	private volatile @Nullable Broker broker;

	/**
	 * Create the fan-out; it passes every message on until {@link #start started}.
	 * @param destinations maps destinations to channels
	 * @param sessions the open WebSocket sessions
	 * @param outboxes the connections' outboxes
	 * @param check the delivery rules every route follows
	 * @param outcomes told what became of each message
	 */
	ChannelFanOut(ChannelDestinations destinations, OutboundTransport sessions, ConnectionOutboxes outboxes,
			DeliveryCheck check, DeliveryOutcomes outcomes) {
		this.channelOfDestination = new FanOutMemo<>(destinations::channelOrNull);
		this.sessions = sessions;
		this.outboxes = outboxes;
		this.check = check;
		this.outcomes = outcomes;
	}

	/**
	 * Start taking channel messages from the broker.
	 * @param broker the embedded broker
	 * @param registry its subscriptions
	 * @param clientOutboundChannel where messages for other kinds of sessions go, as from
	 * the broker
	 */
	public void start(SimpleBrokerMessageHandler broker, ChannelSubscriptionRegistry registry,
			MessageChannel clientOutboundChannel) {
		this.broker = new Broker(broker, registry, clientOutboundChannel);
	}

	/**
	 * Start taking channel messages from the broker, where that delivers exactly what
	 * Spring's path would: otherwise log why not, once, and leave the broker to deliver
	 * every message.
	 * @param broker the embedded broker
	 * @param clientOutboundChannel the client outbound channel
	 * @param brokerChannel the broker channel
	 * @return whether it started
	 */
	public boolean startWhereSafe(SimpleBrokerMessageHandler broker, ExecutorSubscribableChannel clientOutboundChannel,
			AbstractMessageChannel brokerChannel) {
		String offBecause = obstacle(broker, clientOutboundChannel, brokerChannel);
		if (offBecause != null) {
			logger.info("notify-listen's direct fan-out is off: " + offBecause);
			return false;
		}
		start(broker, (ChannelSubscriptionRegistry) broker.getSubscriptionRegistry(), clientOutboundChannel);
		return true;
	}

	private @Nullable String obstacle(SimpleBrokerMessageHandler broker, ExecutorSubscribableChannel outbound,
			AbstractMessageChannel brokerChannel) {
		if (!(broker.getSubscriptionRegistry() instanceof ChannelSubscriptionRegistry)) {
			return "the broker has a subscription registry of the application's own";
		}
		if (broker.getHeaderInitializer() != null) {
			return "the broker has a header initializer, which Spring's path runs for every subscriber";
		}
		if (outbound.getExecutor() != this.outboxes.channelExecutor()) {
			return "the client outbound channel has an executor of the application's own, so the two paths "
					+ "would not share the connections' order";
		}
		if (!accountedFor(outbound.getInterceptors()) || !accountedFor(brokerChannel.getInterceptors()
			.stream()
			.filter(ExecutorChannelInterceptor.class::isInstance)
			.toList())) {
			return "an interceptor of the application's own is on the client outbound channel or handles "
					+ "messages on the broker channel, and sees every message only on Spring's path";
		}
		return null;
	}

	// notify-listen's own, and the one Spring puts on every channel, which only seals a
	// message's headers.
	private static boolean accountedFor(List<ChannelInterceptor> interceptors) {
		return interceptors.stream()
			.allMatch((interceptor) -> interceptor instanceof FanOutAware
					|| interceptor instanceof ImmutableMessageChannelInterceptor);
	}

	/**
	 * Return whether channel messages are fanned out here rather than by the broker.
	 * @return whether {@link #start started}
	 */
	public boolean isStarted() {
		return this.broker != null;
	}

	@Override
	public @Nullable Message<?> beforeHandle(Message<?> message, MessageChannel channel, MessageHandler handler) {
		Broker broker = this.broker;
		if (broker == null || handler != broker.handler() || !broker.handler().isRunning()) {
			return message;
		}
		String destination = SimpMessageType.MESSAGE
			.equals(SimpMessageHeaderAccessor.getMessageType(message.getHeaders()))
					? SimpMessageHeaderAccessor.getDestination(message.getHeaders()) : null;
		ChannelName channelName = (destination != null) ? this.channelOfDestination.get(destination) : null;
		if (channelName == null || !(message.getPayload() instanceof byte[] payload) || !isPlainText(message)
				|| broker.registry().hasPatterns() || !this.check.deliversUnchanged(message, channelName)) {
			return message;
		}
		this.fanOuts.increment();
		Map<String, List<String>> subscribers = broker.registry().exactSubscribers(destination);
		Map<String, List<String>> typeSubscribers = broker.registry().typeSubscribers(channelName, payload);
		if (subscribers != null || typeSubscribers != null) {
			FanOut fanOut = new FanOut(message, payload, channelName, broker);
			if (subscribers != null) {
				deliver(fanOut, subscribers);
			}
			if (typeSubscribers != null) {
				deliver(fanOut, typeSubscribers);
			}
		}
		// Handled: the broker does not see it, and the send counts as done.
		return null;
	}

	private void deliver(FanOut fanOut, Map<String, List<String>> subscribers) {
		Broker broker = fanOut.broker;
		ChannelName channelName = fanOut.channel;
		subscribers.forEach((sessionId, subscriptionIds) -> {
			BatchingWebSocketSession session = this.sessions.batching(sessionId);
			for (String subscriptionId : subscriptionIds) {
				try {
					if (session != null) {
						this.outboxes.execute(sessionId, new Delivery(fanOut, session, subscriptionId));
					}
					else {
						// Not a WebSocket of this node (a Server-Sent Event stream,
						// or closed a moment ago).
						broker.clientOutboundChannel().send(fanOut.perSubscriber(sessionId, subscriptionId));
					}
				}
				catch (RuntimeException ex) {
					// As Spring's broker does: one subscriber's failure is not the
					// notifier's, nor the other subscribers'.
					logger.error("Failed to send " + channelName + " to session " + sessionId, ex);
				}
			}
		});
	}

	/**
	 * Return how many notifications were taken from the broker.
	 * @return the count
	 */
	long fanOuts() {
		return this.fanOuts.sum();
	}

	// Spring's STOMP handler sends an octet-stream payload as a binary message, keeps a
	// message id the message brings and restores a user destination's original one; all
	// left to it.
	private static boolean isPlainText(Message<?> message) {
		Object contentType = message.getHeaders().get(MessageHeaders.CONTENT_TYPE);
		if (contentType != null && !(contentType instanceof MimeType type && !BINARY.isCompatibleWith(type))) {
			return false;
		}
		return !(message.getHeaders().get(NativeMessageHeaderAccessor.NATIVE_HEADERS) instanceof Map<?, ?> headers)
				|| (!headers.containsKey(StompHeaderAccessor.STOMP_MESSAGE_ID_HEADER)
						&& !headers.containsKey(SimpMessageHeaderAccessor.ORIGINAL_DESTINATION));
	}

	private static void closeQuietly(BatchingWebSocketSession session) {
		try {
			session.close(CloseStatus.PROTOCOL_ERROR);
		}
		catch (Exception ex) {
			logger.debug("Could not close session " + session.getId(), ex);
		}
	}

	/** The embedded broker, once started. */
	private record Broker(SimpleBrokerMessageHandler handler, ChannelSubscriptionRegistry registry,
			MessageChannel clientOutboundChannel) {

	}

	/** One notification on its way to the subscribers of its channel. */
	private final class FanOut {

		private final Message<?> message;

		private final byte[] payload;

		private final ChannelName channel;

		private final Broker broker;

		/**
		 * The frame after its two per-subscriber headers, encoded on the first delivery.
		 */
		private volatile @Nullable String tail;

		FanOut(Message<?> message, byte[] payload, ChannelName channel, Broker broker) {
			this.message = message;
			this.payload = payload;
			this.channel = channel;
			this.broker = broker;
		}

		/**
		 * The message Spring's broker would hand to the client outbound channel for this
		 * subscriber.
		 */
		Message<?> perSubscriber(String sessionId, String subscriptionId) {
			SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
			MessageHeaderInitializer initializer = this.broker.handler().getHeaderInitializer();
			if (initializer != null) {
				initializer.initHeaders(accessor);
			}
			accessor.setSessionId(sessionId);
			accessor.setSubscriptionId(subscriptionId);
			accessor.copyHeadersIfAbsent(this.message.getHeaders());
			accessor.setLeaveMutable(true);
			return MessageBuilder.createMessage(this.payload, accessor.getMessageHeaders());
		}

		void deliver(BatchingWebSocketSession session, String subscriptionId, int folded) {
			String sessionId = session.getId();
			if (!ChannelFanOut.this.check.mayDeliver(sessionId, this.channel)) {
				return;
			}
			String tail = tail(sessionId, subscriptionId);
			if (folded > 0) {
				// The tail starts with the frame's other headers.
				tail = FOLDED_HEADER + ':' + folded + '\n' + tail;
			}
			String head = FanOutStompEncoder.head(subscriptionId,
					sessionId + "-f" + ChannelFanOut.this.messageIds.getAndIncrement());
			try {
				session.sendText(head, tail);
			}
			catch (Throwable ex) {
				// As Spring's STOMP handler does with a failed write: the client is gone
				// or broken.
				logger.debug("Failed to send a message to session " + sessionId, ex);
				ChannelFanOut.this.outcomes.dropped(session.isOpen() ? DropReason.ERROR : DropReason.CLOSED);
				closeQuietly(session);
				return;
			}
			ChannelFanOut.this.outcomes.delivered(this.payload);
		}

		// Encoded from the message Spring's path would encode, so that the frame is the
		// same but for the order of its headers (the two per-subscriber ones come first).
		private String tail(String sessionId, String subscriptionId) {
			String tail = this.tail;
			if (tail == null) {
				StompHeaderAccessor stomp = StompHeaderAccessor.wrap(perSubscriber(sessionId, subscriptionId));
				stomp.updateStompCommandAsServerMessage();
				tail = ChannelFanOut.this.encoder.encodeTail(stomp.getMessageHeaders(), this.payload);
				this.tail = tail;
			}
			return tail;
		}

	}

	/**
	 * One connection's share of a fan-out, waiting in its outbox; a later one for the
	 * same subscription and channel (for a type listener, the same object and action) may
	 * take its place.
	 */
	private record Delivery(FanOut fanOut, BatchingWebSocketSession session,
			String subscriptionId) implements ConnectionOutboxes.ConflatableTask {

		@Override
		public void run() {
			this.fanOut.deliver(this.session, this.subscriptionId, 0);
		}

		@Override
		public void runFolding(int folded) {
			this.fanOut.deliver(this.session, this.subscriptionId, folded);
		}

		@Override
		public Object channelKey() {
			return new ChannelOfSubscription(this.subscriptionId, this.fanOut.channel);
		}

		// A subscription id names one subscription of its connection.
		@Override
		public Object subscriptionKey() {
			return this.subscriptionId;
		}

		@Override
		public int size() {
			return this.fanOut.payload.length;
		}

	}

	/** What a message replaces while its connection reads too slowly. */
	private record ChannelOfSubscription(String subscriptionId, ChannelName channel) {

	}

}
