package io.notifylisten.internal.transport;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * A connection's session that holds a STOMP frame back while more messages for the
 * connection wait in its outbox, and writes the frames held back together as one
 * WebSocket text message. STOMP frames end with a NUL octet, so a client reads several
 * from one message (stomp.js' parser and Spring's {@code BufferingStompDecoder} both do);
 * a text message with one frame is what it was.
 */
class BatchingWebSocketSession extends WebSocketSessionDecorator {

	private static final Log logger = LogFactory.getLog(BatchingWebSocketSession.class);

	/**
	 * The longest message frames are joined into, in characters. Below 8 K characters,
	 * the text message size Tomcat's WebSocket client (under Spring's STOMP client)
	 * accepts by default, which it counts in characters; a frame alone may still be
	 * longer.
	 */
	static final int MAX_BATCH_CHARS = 4096;

	/**
	 * How often a write the container refuses while it finishes the one before is tried.
	 */
	private static final int WRITE_ATTEMPTS = 10;

	private static final long WRITE_RETRY_MILLIS = 10;

	/** A STOMP heart-beat: an end of line between frames. */
	private static final String HEARTBEAT = "\n";

	/**
	 * Frames held back. Characters rather than bytes: the container takes text messages
	 * as strings, and Spring's text messages carry their string already.
	 */
	private @Nullable StringBuilder heldBack;

	private final ConnectionOutboxes outboxes;

	/**
	 * When a write to the connection last went out, on {@link System#nanoTime()}'s scale.
	 */
	private volatile long lastWriteNanos = System.nanoTime();

	/**
	 * How long the connection may stay quiet before it gets a heart-beat, in nanoseconds;
	 * 0 for never.
	 */
	private volatile long quietLimitNanos;

	/**
	 * Whether a heart-beat waits in the outbox: a client that stops reading gets one, not
	 * one per check.
	 */
	private final AtomicBoolean heartbeatWaiting = new AtomicBoolean();

	BatchingWebSocketSession(WebSocketSession delegate, ConnectionOutboxes outboxes) {
		super(delegate);
		this.outboxes = outboxes;
	}

	@Override
	public synchronized void sendMessage(WebSocketMessage<?> message) throws IOException {
		if (!(message instanceof TextMessage text)) {
			writeHeldBack();
			write(message);
			return;
		}
		send(text.getPayload(), "", text);
	}

	/**
	 * Write one STOMP frame, or hold it back while more wait for the connection.
	 * @param frame the whole frame, NUL octet included
	 * @throws IOException if the write failed
	 */
	synchronized void sendText(String frame) throws IOException {
		send(frame, "", null);
	}

	/**
	 * Write one STOMP frame given in two parts, or hold it back while more wait for the
	 * connection: a frame held back is appended part by part, never joined on its own.
	 * @param head the frame's start
	 * @param tail the rest of the frame, NUL octet included
	 * @throws IOException if the write failed
	 */
	synchronized void sendText(String head, String tail) throws IOException {
		send(head, tail, null);
	}

	private void send(String head, String tail, @Nullable TextMessage message) throws IOException {
		int length = head.length() + tail.length();
		StringBuilder batch = this.heldBack;
		if (batch != null && batch.length() + length > MAX_BATCH_CHARS) {
			writeHeldBack();
			batch = null;
		}
		if (length < MAX_BATCH_CHARS && this.outboxes.moreToCome(getId(), this)) {
			if (batch == null) {
				// Room for a few frames: most batches are short, and a 4 K buffer per
				// batch was a large share of the fan-out's garbage.
				batch = new StringBuilder(Math.min(MAX_BATCH_CHARS, 4 * length));
				this.heldBack = batch;
			}
			batch.append(head).append(tail);
			return;
		}
		if (batch == null) {
			write((message != null) ? message : new TextMessage(head.concat(tail)));
			return;
		}
		batch.append(head).append(tail);
		writeHeldBack();
	}

	/**
	 * Send heart-beats from now on whenever the connection has been quiet for so long.
	 * @param quietLimitNanos how long, in nanoseconds
	 */
	void writeAtLeastEvery(long quietLimitNanos) {
		// Agreed just before CONNECTED is written, which counts as the first write.
		this.lastWriteNanos = System.nanoTime();
		this.quietLimitNanos = Math.max(1, quietLimitNanos);
	}

	/**
	 * Return whether the connection needs a heart-beat and none waits for it yet; if so,
	 * one is taken to wait from now until {@link #sendHeartbeat} runs.
	 * @param now the time, on {@link System#nanoTime()}'s scale
	 * @return whether to queue a heart-beat
	 */
	boolean heartbeatDue(long now) {
		return isQuiet(now) && this.heartbeatWaiting.compareAndSet(false, true);
	}

	/**
	 * Write a heart-beat, unless something else was written since it was queued.
	 */
	void sendHeartbeat() {
		this.heartbeatWaiting.set(false);
		if (!isQuiet(System.nanoTime())) {
			return;
		}
		try {
			sendText(HEARTBEAT);
		}
		catch (IOException | RuntimeException ex) {
			// As a failed heart-beat of Spring's: the client is gone, or about to be.
			logger.debug("Failed to send a heart-beat to session " + getId(), ex);
		}
	}

	private boolean isQuiet(long now) {
		long limit = this.quietLimitNanos;
		return limit > 0 && now - this.lastWriteNanos >= limit;
	}

	/**
	 * Write the frames held back, at the end of the outbox's turn.
	 */
	synchronized void flush() {
		try {
			writeHeldBack();
		}
		catch (IOException | RuntimeException ex) {
			// As Spring's channel handles a failed write: the client is gone, or about to
			// be.
			logger.debug("Failed to write held-back frames to session " + getId(), ex);
		}
	}

	// Spring's STOMP handler writes an ERROR frame and closes the session straight after,
	// on the thread emptying the outbox; the frame is held back if anything else waits
	// there (the broker queues a heart-beat right behind the DISCONNECT_ACK of a client
	// it cuts off for silence), and the client would be closed without learning why.
	@Override
	public void close() throws IOException {
		flush();
		super.close();
	}

	@Override
	public void close(CloseStatus status) throws IOException {
		// Not to a client that reads too slowly: another write would only block until the
		// send time limit.
		if (!CloseStatus.SESSION_NOT_RELIABLE.equals(status)) {
			flush();
		}
		super.close(status);
	}

	private void writeHeldBack() throws IOException {
		StringBuilder batch = this.heldBack;
		if (batch == null) {
			return;
		}
		// Released first: a failed write must not leave the frames to be written again.
		this.heldBack = null;
		write(new TextMessage(batch));
	}

	// A write the container has not quite finished (its bytes are out, its state not yet
	// back to idle; typically CONNECTED, which a client answers at once) refuses the next
	// one with IllegalStateException for a few milliseconds. The next one may be the
	// ERROR frame that Spring's STOMP handler writes, and closes the session behind, on
	// the inbound thread: without another try the client would be cut off without
	// learning why.
	private void write(WebSocketMessage<?> message) throws IOException {
		for (int attempt = 1;; attempt++) {
			try {
				super.sendMessage(message);
				this.lastWriteNanos = System.nanoTime();
				return;
			}
			catch (IllegalStateException ex) {
				if (attempt == WRITE_ATTEMPTS || !isOpen()) {
					throw ex;
				}
				try {
					Thread.sleep(WRITE_RETRY_MILLIS);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw ex;
				}
			}
		}
	}

}
