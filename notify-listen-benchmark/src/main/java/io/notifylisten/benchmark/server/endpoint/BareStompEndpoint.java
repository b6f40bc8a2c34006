package io.notifylisten.benchmark.server.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.notifylisten.benchmark.server.BenchmarkControl;
import io.notifylisten.benchmark.server.Publisher;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Just as much STOMP as the load generator speaks, straight on the container's WebSocket:
 * CONNECT is answered with CONNECTED, SUBSCRIBE is recorded, and each notification is
 * written as a MESSAGE frame to every subscriber with one blocking {@code sendText}. The
 * writes run on {@value #LANES} threads, as many as notify-listen's outbound pool on two
 * cores, and a subscriber is always written by the same one (a Jakarta session takes one
 * blocking write at a time). No security, no broker, no per-session queue: what is left
 * is the container's write path and the kernel's, which no server built on that container
 * can go below.
 */
public final class BareStompEndpoint extends Endpoint implements AutoCloseable {

	static final int LANES = 4;

	private static final String NUL = "\0";

	private final JsonMapper jsonMapper;

	private final ObjectProvider<BenchmarkControl> control;

	private final ExecutorService[] writers = new ExecutorService[LANES];

	// Per lane, the subscribers of each destination.
	@SuppressWarnings("unchecked")
	private final Map<String, Set<Subscriber>>[] lanes = new Map[LANES];

	private final AtomicInteger nextLane = new AtomicInteger();

	private final AtomicLong messageIds = new AtomicLong();

	BareStompEndpoint(JsonMapper jsonMapper, ObjectProvider<BenchmarkControl> control) {
		this.jsonMapper = jsonMapper;
		this.control = control;
		for (int lane = 0; lane < LANES; lane++) {
			int number = lane;
			this.writers[lane] = Executors.newSingleThreadExecutor((task) -> {
				Thread thread = new Thread(task, "bare-writer-" + number);
				thread.setDaemon(true);
				return thread;
			});
			this.lanes[lane] = new ConcurrentHashMap<>();
		}
	}

	@Override
	public void onOpen(Session session, EndpointConfig config) {
		// No idle timeout (Jetty's default is 30 s): the load generator's listeners send
		// nothing.
		session.setMaxIdleTimeout(0);
		// The load generator's frames are small. Tomcat keeps a message buffer of this
		// size per session (8 Ki characters by default, reallocated at the next message),
		// as small as notify-listen's on Tomcat, so that the idle figure is the
		// container's least.
		session.setMaxTextMessageBufferSize(1024);
		session.addMessageHandler(String.class, (MessageHandler.Whole<String>) (text) -> onFrame(session, text));
	}

	private void onFrame(Session session, String frame) {
		try {
			if (frame.startsWith("CONNECT\n") || frame.startsWith("STOMP\n")) {
				session.getBasicRemote().sendText("CONNECTED\nversion:1.2\nheart-beat:0,0\n\n" + NUL);
				session.getUserProperties().put("connected", true);
				this.control.getObject().connected();
			}
			else if (frame.startsWith("SUBSCRIBE\n")) {
				String destination = header(frame, "destination");
				String id = header(frame, "id");
				if (destination != null && id != null) {
					Subscriber subscriber = new Subscriber(session, id,
							Math.floorMod(this.nextLane.getAndIncrement(), LANES));
					session.getUserProperties().put("subscriber:" + destination, subscriber);
					this.lanes[subscriber.lane()].computeIfAbsent(destination, (key) -> ConcurrentHashMap.newKeySet())
						.add(subscriber);
					this.control.getObject().subscribed(session.getId());
				}
			}
		}
		catch (IOException ex) {
			// The client has gone; onClose follows.
		}
	}

	@Override
	public void onClose(Session session, CloseReason closeReason) {
		session.getUserProperties().forEach((key, value) -> {
			if (key.startsWith("subscriber:") && value instanceof Subscriber subscriber) {
				Set<Subscriber> subscribers = this.lanes[subscriber.lane()].get(key.substring("subscriber:".length()));
				if (subscribers != null) {
					subscribers.remove(subscriber);
				}
			}
		});
		if (session.getUserProperties().containsKey("connected")) {
			this.control.getObject().disconnected(session.getId());
		}
	}

	/**
	 * Write one notification to every subscriber of its channel; returns once the writes
	 * are queued.
	 */
	void publish(String entity, String id, String action) {
		String destination = "/topic/bench." + entity + "." + id + "." + action;
		String body = this.jsonMapper.writeValueAsString(Publisher.message(entity, id, action));
		String head = "MESSAGE\ndestination:" + destination + "\ncontent-type:application/json\ncontent-length:"
				+ body.getBytes(StandardCharsets.UTF_8).length + "\nmessage-id:" + this.messageIds.incrementAndGet()
				+ "\nsubscription:";
		String tail = "\n\n" + body + NUL;
		for (int lane = 0; lane < LANES; lane++) {
			Set<Subscriber> subscribers = this.lanes[lane].get(destination);
			if (subscribers != null) {
				this.writers[lane].execute(() -> {
					for (Subscriber subscriber : subscribers) {
						send(subscriber, head + subscriber.subscriptionId() + tail);
					}
				});
			}
		}
	}

	private static void send(Subscriber subscriber, String frame) {
		try {
			subscriber.session().getBasicRemote().sendText(frame);
		}
		catch (IOException | IllegalStateException ex) {
			// Closed meanwhile: the load generator counts the message as lost.
		}
	}

	private static @Nullable String header(String frame, String name) {
		String prefix = "\n" + name + ":";
		int start = frame.indexOf(prefix);
		if (start < 0) {
			return null;
		}
		start += prefix.length();
		int end = frame.indexOf('\n', start);
		return frame.substring(start, (end < 0) ? frame.length() : end);
	}

	@Override
	public void close() {
		for (ExecutorService writer : this.writers) {
			writer.shutdownNow();
		}
	}

	private record Subscriber(Session session, String subscriptionId, int lane) {

	}

}
