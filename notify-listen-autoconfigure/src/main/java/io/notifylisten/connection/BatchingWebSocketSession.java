package io.notifylisten.connection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * A connection's session that holds a STOMP frame back while more messages for the connection
 * wait in its outbox, and writes the frames held back together as one WebSocket text message.
 * STOMP frames end with a NUL octet, so a client reads several from one message (stomp.js' parser
 * and Spring's {@code BufferingStompDecoder} both do); a text message with one frame is what it was.
 */
class BatchingWebSocketSession extends WebSocketSessionDecorator {

	private static final Log logger = LogFactory.getLog(BatchingWebSocketSession.class);

	/**
	 * The longest message frames are joined into. Below 8 KiB, the message size Tomcat's WebSocket
	 * client (under Spring's STOMP client) accepts by default; a frame alone may still be longer.
	 */
	static final int MAX_BATCH_BYTES = 4096;

	private @Nullable ByteArrayOutputStream heldBack;

	BatchingWebSocketSession(WebSocketSession delegate) {
		super(delegate);
	}

	@Override
	public synchronized void sendMessage(WebSocketMessage<?> message) throws IOException {
		if (!(message instanceof TextMessage text)) {
			writeHeldBack();
			super.sendMessage(message);
			return;
		}
		byte[] frame = text.asBytes();
		ByteArrayOutputStream batch = this.heldBack;
		if (batch != null && batch.size() + frame.length > MAX_BATCH_BYTES) {
			writeHeldBack();
			batch = null;
		}
		if (frame.length < MAX_BATCH_BYTES && ConnectionOutboxes.moreToCome(getId(), this)) {
			if (batch == null) {
				batch = new ByteArrayOutputStream(MAX_BATCH_BYTES);
				this.heldBack = batch;
			}
			batch.writeBytes(frame);
			return;
		}
		if (batch == null) {
			super.sendMessage(message);
			return;
		}
		batch.writeBytes(frame);
		writeHeldBack();
	}

	/**
	 * Write the frames held back, at the end of the outbox's turn.
	 */
	synchronized void flush() {
		try {
			writeHeldBack();
		}
		catch (IOException | RuntimeException ex) {
			// As Spring's channel handles a failed write: the client is gone, or about to be.
			logger.debug("Failed to write held-back frames to session " + getId(), ex);
		}
	}

	private void writeHeldBack() throws IOException {
		ByteArrayOutputStream batch = this.heldBack;
		if (batch == null) {
			return;
		}
		// Released first: a failed write must not leave the frames to be written again.
		this.heldBack = null;
		super.sendMessage(new TextMessage(batch.toByteArray()));
	}

}
