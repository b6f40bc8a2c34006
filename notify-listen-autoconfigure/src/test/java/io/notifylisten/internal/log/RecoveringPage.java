package io.notifylisten.internal.log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.notifylisten.testapp.ListenerClient;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.messaging.simp.stomp.StompHeaders;

/**
 * A page as the browser client runs it, on a real STOMP connection: it listens to one
 * channel, and when it connects again it asks for what it missed since the last message
 * it received, holds live messages until the recovery frame has arrived, and drops a
 * message it already has by its sequence. What it hands to the page's handler is
 * {@link #received()}: the {@code n} of each message's payload.
 */
final class RecoveringPage implements AutoCloseable {

	private final String user;

	private final String channel;

	private final List<Integer> received = new ArrayList<>();

	private final List<JsonNode> held = new ArrayList<>();

	private final List<Boolean> recoveries = new ArrayList<>();

	private @Nullable ListenerClient client;

	private @Nullable String lastEpoch;

	private long lastSequence;

	private boolean recovering;

	// Messages the server folded into a later one of the channel because this page fell
	// behind (see ConnectionOutboxes): said in the page's description, as the reason of
	// a gap.
	private int folded;

	// Messages that arrived behind the last one taken, and were dropped as copies: a
	// page that did not reconnect gets none, so any says the node sent out of order.
	private int behind;

	RecoveringPage(String user, String channel) {
		this.user = user;
		this.channel = channel;
	}

	RecoveringPage connect(int port) throws Exception {
		ListenerClient connected = ListenerClient.as(port, this.user).connect();
		this.client = connected;
		if (this.lastEpoch == null) {
			connected.listen(this.channel);
		}
		else {
			this.recovering = true;
			connected.listenSince(this.channel, this.lastEpoch, this.lastSequence);
		}
		return this;
	}

	/**
	 * Take what has arrived until {@code count} messages were handed over, at most
	 * {@code timeout}.
	 */
	List<Integer> awaitReceived(int count, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.received.size() < count && System.nanoTime() < deadline) {
			JsonNode frame = this.client.nextMessage(Duration.ofMillis(200));
			if (frame != null) {
				take(frame);
			}
		}
		return this.received;
	}

	/** Take whatever is waiting without blocking for more than {@code quiet}. */
	void drain(Duration quiet) throws InterruptedException {
		JsonNode frame;
		while ((frame = this.client.nextMessage(quiet)) != null) {
			take(frame);
		}
	}

	private void take(JsonNode frame) {
		StompHeaders headers = this.client.frameHeaders.poll();
		String folded = (headers != null) ? headers.getFirst("notify-listen-folded") : null;
		if (folded != null) {
			this.folded += Integer.parseInt(folded);
		}
		if (frame.has("recovered")) {
			this.recovering = false;
			this.recoveries.add(frame.get("recovered").asBoolean());
			frame.get("messages").valueStream().forEach(this::accept);
			this.held.forEach(this::accept);
			this.held.clear();
		}
		else if (this.recovering) {
			this.held.add(frame);
		}
		else {
			accept(frame);
		}
	}

	private void accept(JsonNode message) {
		String epoch = message.get("epoch").asString();
		long sequence = message.get("sequence").asLong();
		if (epoch.equals(this.lastEpoch) && sequence <= this.lastSequence) {
			this.behind++;
			return;
		}
		this.lastEpoch = epoch;
		this.lastSequence = sequence;
		this.received.add(message.get("payload").get("n").asInt());
	}

	List<Integer> received() {
		return this.received;
	}

	/** What each recovery frame said, in order. */
	List<Boolean> recoveries() {
		return this.recoveries;
	}

	boolean isConnected() {
		return this.client != null && this.client.isConnected();
	}

	@Override
	public void close() {
		if (this.client != null) {
			this.client.close();
		}
	}

	@Override
	public String toString() {
		return this.user + " on " + this.channel + " (" + this.folded + " folded, " + this.behind
				+ " behind the last taken)";
	}

}
