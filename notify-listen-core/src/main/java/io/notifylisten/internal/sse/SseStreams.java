package io.notifylisten.internal.sse;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiFunction;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.TypeChannel;
import io.notifylisten.internal.channel.TypeFilter;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.history.ChannelHistory;
import io.notifylisten.notify.NotifyMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.session.HttpSessionDestroyedEvent;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The open Server-Sent Event streams. Each is a pseudo-session of the embedded broker:
 * CONNECT and SUBSCRIBE are handed to the broker as if a STOMP client had sent them (the
 * stream was authorized over HTTP first), and the broker's messages for that session are
 * taken off the client outbound channel, after the same per-delivery checks as any
 * connection, and written as events.
 *
 * <p>
 * Every event's id is the stream's position, {@code epoch:s1,s2,…} (one sequence per
 * channel in the order of the URL), so a browser's automatic {@code Last-Event-ID} lets
 * the stream resume from the history; where it cannot, a {@code reload} event says so.
 *
 * <p>
 * A stream of {@link TypeChannel type channels} hears every object of an entity, each
 * event checked for its object at delivery. The history is kept per object, so a type has
 * no position to resume from: its events' id is {@value #TYPE_EVENT_ID}, and a stream
 * opened again with any {@code Last-Event-ID} is sent a {@code reload} event per type
 * once it is subscribed, so the page reloads what it shows and misses nothing.
 */
public class SseStreams implements SmartLifecycle, ApplicationListener<HttpSessionDestroyedEvent> {

	/**
	 * Session ids of streams start with this, so that nothing mistakes one for a
	 * WebSocket.
	 */
	public static final String SESSION_PREFIX = "sse-";

	/** The id of every event of a type stream, which has no position. */
	public static final String TYPE_EVENT_ID = TypeChannel.ANY_ID;

	private static final Log logger = LogFactory.getLog(SseStreams.class);

	private final Map<String, Stream> streams = new ConcurrentHashMap<>();

	private volatile boolean running;

	private final ChannelDestinations destinations;

	private final ConnectionRegistry connections;

	private final ObjectProvider<AbstractBrokerMessageHandler> brokers;

	private final @Nullable ChannelHistory history;

	private final JsonMapper jsonMapper;

	private final TaskScheduler scheduler;

	private final Duration retry;

	private final Duration keepAlive;

	public SseStreams(ChannelDestinations destinations, ConnectionRegistry connections,
			ObjectProvider<AbstractBrokerMessageHandler> brokers, @Nullable ChannelHistory history,
			JsonMapper jsonMapper, TaskScheduler scheduler, Duration retry, Duration keepAlive) {
		this.destinations = destinations;
		this.connections = connections;
		this.brokers = brokers;
		this.history = history;
		this.jsonMapper = jsonMapper;
		this.scheduler = scheduler;
		this.retry = retry;
		this.keepAlive = keepAlive;
	}

	/**
	 * Whether a session is a Server-Sent Event stream.
	 * @param sessionId the session id of an outbound message
	 * @return whether it starts with {@value #SESSION_PREFIX}
	 */
	public static boolean isStream(@Nullable String sessionId) {
		return sessionId != null && sessionId.startsWith(SESSION_PREFIX);
	}

	/**
	 * Open a stream for channels the user was authorized for.
	 * @param user the user
	 * @param httpSessionId the HTTP session, which the stream ends with
	 * @param channels the channels, in the order of the URL
	 * @param lastEventId the browser's {@code Last-Event-ID}, or {@code null}
	 * @param maxPerUser most connections one user may hold
	 * @param tokenExpiresAt when the bearer token the request came with expires, which
	 * the stream ends with, or {@code null}
	 * @return the emitter, or {@code null} if the user holds too many connections
	 */
	public @Nullable SseEmitter open(Authentication user, @Nullable String httpSessionId, List<ChannelName> channels,
			@Nullable String lastEventId, int maxPerUser, @Nullable Instant tokenExpiresAt) {
		return open(user, httpSessionId, maxPerUser, tokenExpiresAt, (sessionId, emitter) -> new Stream(sessionId, user,
				channels, List.of(), Map.of(), emitter, LastEventId.parse(lastEventId, channels.size()), false));
	}

	/**
	 * Open a stream for actions on every object of entities, for a user who holds the
	 * listen role; each object is checked at delivery.
	 * @param user the user
	 * @param httpSessionId the HTTP session, which the stream ends with
	 * @param types the type channels, in the order of the URL
	 * @param filters the filters of those type channels that have one
	 * @param lastEventId the browser's {@code Last-Event-ID}, or {@code null}; any id
	 * gets a {@code reload} event, since a type has no position to resume from
	 * @param maxPerUser most connections one user may hold
	 * @param tokenExpiresAt when the bearer token the request came with expires, which
	 * the stream ends with, or {@code null}
	 * @return the emitter, or {@code null} if the user holds too many connections
	 */
	public @Nullable SseEmitter openTypes(Authentication user, @Nullable String httpSessionId, List<TypeChannel> types,
			Map<TypeChannel, TypeFilter> filters, @Nullable String lastEventId, int maxPerUser,
			@Nullable Instant tokenExpiresAt) {
		return open(user, httpSessionId, maxPerUser, tokenExpiresAt, (sessionId, emitter) -> new Stream(sessionId, user,
				List.of(), types, filters, emitter, LastEventId.parse(null, 0), lastEventId != null));
	}

	private @Nullable SseEmitter open(Authentication user, @Nullable String httpSessionId, int maxPerUser,
			@Nullable Instant tokenExpiresAt, BiFunction<String, SseEmitter, Stream> newStream) {
		String sessionId = SESSION_PREFIX + UUID.randomUUID();
		ListenerConnection connection = this.connections.register(sessionId, user, httpSessionId, maxPerUser);
		if (connection == null) {
			return null;
		}
		if (tokenExpiresAt != null) {
			// Nothing is delivered past the expiry (Deliveries), and the stream ends
			// then; the client comes back with a fresh token.
			connection.authenticatedByToken(user, tokenExpiresAt);
			this.scheduler.schedule(() -> close(sessionId), tokenExpiresAt);
		}
		SseEmitter emitter = new SseEmitter(0L);
		Stream stream = newStream.apply(sessionId, emitter);
		this.streams.put(sessionId, stream);
		emitter.onCompletion(() -> close(sessionId));
		emitter.onTimeout(() -> close(sessionId));
		emitter.onError((ex) -> close(sessionId));
		stream.keepAlive = this.scheduler.scheduleAtFixedRate(() -> comment(stream, "keep-alive"), this.keepAlive);
		try {
			SseEmitter.SseEventBuilder connected = SseEmitter.event().reconnectTime(this.retry.toMillis());
			if (!stream.types.isEmpty()) {
				// So that a browser that drops this stream before any event comes back
				// with a Last-Event-ID, and is told to reload.
				connected.id(TYPE_EVENT_ID);
			}
			emitter.send(connected.comment("connected"));
		}
		catch (IOException ex) {
			close(sessionId);
			return emitter;
		}
		StompHeaderAccessor connect = headers(StompCommand.CONNECT, stream);
		connect.setHeader(SimpMessageHeaderAccessor.HEART_BEAT_HEADER, new long[] { 0, 0 });
		connect.setAcceptVersion("1.2");
		connect.setHeartbeat(0, 0);
		toBroker(connect);
		return emitter;
	}

	/**
	 * Take a message the broker addressed to a stream: subscribe once it acknowledged
	 * CONNECT, write notifications as events, and drop the rest.
	 * @param message an outbound message whose session is a stream
	 * @return whether it was a notification and written
	 */
	public boolean handle(Message<?> message) {
		Stream stream = this.streams
			.get(Objects.requireNonNull(SimpMessageHeaderAccessor.getSessionId(message.getHeaders())));
		if (stream == null) {
			return false;
		}
		SimpMessageType type = SimpMessageHeaderAccessor.getMessageType(message.getHeaders());
		if (SimpMessageType.MESSAGE.equals(type)) {
			byte[] json = (byte[]) message.getPayload();
			send(stream, NumberedMessage.of(this.jsonMapper.readTree(json)), json);
			return true;
		}
		if (!stream.subscribed && (SimpMessageType.CONNECT_ACK.equals(type) || isConnected(message))) {
			stream.subscribed = true;
			subscribe(stream);
		}
		return false;
	}

	private static boolean isConnected(Message<?> message) {
		return StompCommand.CONNECTED.equals(StompHeaderAccessor.getCommand(message.getHeaders()));
	}

	private void subscribe(Stream stream) {
		for (int i = 0; i < stream.channels.size(); i++) {
			StompHeaderAccessor subscribe = headers(StompCommand.SUBSCRIBE, stream);
			subscribe.setSubscriptionId(String.valueOf(i));
			subscribe.setDestination(this.destinations.destinationOf(stream.channels.get(i)));
			toBroker(subscribe);
		}
		for (int i = 0; i < stream.types.size(); i++) {
			StompHeaderAccessor subscribe = headers(StompCommand.SUBSCRIBE, stream);
			subscribe.setSubscriptionId("type-" + i);
			subscribe.setDestination(this.destinations.destinationOf(stream.types.get(i)));
			TypeFilter filter = stream.filters.get(stream.types.get(i));
			if (filter != null) {
				// Where the broker's registry finds it, as for a STOMP SUBSCRIBE's.
				subscribe.setHeader(TypeFilter.HEADER_ATTRIBUTE, filter);
			}
			toBroker(subscribe);
		}
		if (stream.position.epoch() != null) {
			recover(stream);
		}
		if (stream.typesResumed) {
			// Live now: whatever the page reloads from here on, it hears of.
			stream.types.forEach((type) -> reload(stream, type.toString()));
		}
	}

	// Once subscriptions are live, replay from the history what the browser missed,
	// channel by channel; ordering against live events is settled by the sequence each
	// event carries.
	private void recover(Stream stream) {
		for (int i = 0; i < stream.channels.size(); i++) {
			long last = stream.position.sequences()[i];
			ChannelName channel = stream.channels.get(i);
			if (this.history == null) {
				reload(stream, channel.toString());
				continue;
			}
			this.history.recover(channel, stream.position.epoch(), last, (recovery) -> {
				if (!recovery.recovered()) {
					reload(stream, channel.toString());
					return;
				}
				for (NotifyMessage missed : recovery.messages()) {
					send(stream, new NumberedMessage(missed.channel(), missed.epoch(), missed.sequence()),
							this.jsonMapper.writeValueAsBytes(missed));
				}
			});
		}
	}

	private void send(Stream stream, NumberedMessage event, byte[] json) {
		synchronized (stream) {
			int index = stream.channels.indexOf(event.channel());
			if (index >= 0 && event.sequence() > 0 && event.epoch() != null) {
				// A replayed message may also arrive live: each is written once.
				if (event.epoch().equals(stream.epoch) && event.sequence() <= stream.sequences[index]) {
					return;
				}
				stream.epoch = event.epoch();
				stream.sequences[index] = event.sequence();
			}
			try {
				stream.emitter.send(SseEmitter.event()
					.id(stream.id())
					.name(event.channel().action())
					.data(new String(json, java.nio.charset.StandardCharsets.UTF_8), MediaType.APPLICATION_JSON));
			}
			catch (IOException | IllegalStateException ex) {
				close(stream.sessionId);
			}
		}
	}

	private void reload(Stream stream, String channel) {
		synchronized (stream) {
			try {
				stream.emitter.send(SseEmitter.event()
					.name("reload")
					.data("{\"recovered\":false,\"channel\":\"" + channel + "\"}", MediaType.APPLICATION_JSON));
			}
			catch (IOException | IllegalStateException ex) {
				close(stream.sessionId);
			}
		}
	}

	private void comment(Stream stream, String text) {
		synchronized (stream) {
			try {
				stream.emitter.send(SseEmitter.event().comment(text));
			}
			catch (IOException | IllegalStateException ex) {
				close(stream.sessionId);
			}
		}
	}

	// A stream ends with the HTTP session it was opened from (logout or expiry), like a
	// WebSocket.
	@Override
	public void onApplicationEvent(HttpSessionDestroyedEvent event) {
		for (ListenerConnection connection : this.connections.ofHttpSession(event.getId())) {
			if (isStream(connection.sessionId())) {
				close(connection.sessionId());
			}
		}
	}

	// Streams never time out by themselves: end them as the application starts to stop
	// (the default phase stops before the web server's graceful shutdown, which would
	// wait for them forever).
	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.streams.keySet().forEach(this::close);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void close(String sessionId) {
		Stream stream = this.streams.remove(sessionId);
		if (stream == null) {
			return;
		}
		if (stream.keepAlive != null) {
			stream.keepAlive.cancel(false);
		}
		toBroker(headers(StompCommand.DISCONNECT, stream));
		this.connections.unregister(sessionId);
		stream.emitter.complete();
	}

	// STOMP headers, as a STOMP client's frames would have, so that the broker treats the
	// stream as one.
	private StompHeaderAccessor headers(StompCommand command, Stream stream) {
		StompHeaderAccessor headers = StompHeaderAccessor.create(command);
		headers.setSessionId(stream.sessionId);
		headers.setUser(stream.user);
		headers.setSessionAttributes(new ConcurrentHashMap<>());
		headers.setLeaveMutable(true);
		return headers;
	}

	private void toBroker(StompHeaderAccessor headers) {
		Message<byte[]> message = MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
		this.brokers.stream().findFirst().ifPresent((broker) -> {
			try {
				broker.handleMessage(message);
			}
			catch (RuntimeException ex) {
				logger.debug("Broker refused " + headers.getMessageType() + " of an event stream", ex);
			}
		});
	}

	private static final class Stream {

		private final String sessionId;

		private final Authentication user;

		private final List<ChannelName> channels;

		private final List<TypeChannel> types;

		private final Map<TypeChannel, TypeFilter> filters;

		private final SseEmitter emitter;

		private final LastEventId position;

		/** Whether a stream of types was opened with a {@code Last-Event-ID}. */
		private final boolean typesResumed;

		private @Nullable String epoch;

		private final long[] sequences;

		private volatile boolean subscribed;

		private @Nullable ScheduledFuture<?> keepAlive;

		Stream(String sessionId, Authentication user, List<ChannelName> channels, List<TypeChannel> types,
				Map<TypeChannel, TypeFilter> filters, SseEmitter emitter, LastEventId position, boolean typesResumed) {
			this.sessionId = sessionId;
			this.user = user;
			this.channels = new ArrayList<>(channels);
			this.types = List.copyOf(types);
			this.filters = Map.copyOf(filters);
			this.emitter = emitter;
			this.position = position;
			this.typesResumed = typesResumed;
			this.epoch = position.epoch();
			this.sequences = position.sequences().clone();
		}

		String id() {
			return this.types.isEmpty() ? LastEventId.format(this.epoch, this.sequences) : TYPE_EVENT_ID;
		}

	}

}
