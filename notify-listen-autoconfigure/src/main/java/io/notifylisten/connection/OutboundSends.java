package io.notifylisten.connection;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.support.ExecutorChannelInterceptor;

/**
 * Counts, per WebSocket session, the messages the client outbound channel is writing at this
 * moment, so that an ERROR frame sent from elsewhere can wait for them.
 *
 * <p>Why: Spring writes an ERROR for a refused client frame on the inbound thread and closes the
 * session straight after. If an outbound thread is still writing to that session (typically the
 * CONNECTED frame, which a client answers with SUBSCRIBE at once), Spring's
 * {@code ConcurrentWebSocketSessionDecorator} queues the ERROR behind that write and then drops it
 * because the session is closing: the connection closes without its reason, and a browser client
 * that cannot tell "denied" from "dropped" reconnects and asks again. Seen in the integration tests
 * on Tomcat and on Jetty. {@link #quiesce} stops further outbound messages for the session and waits
 * for the ones being written, so the ERROR is written at once.
 *
 * <p>Must come before every interceptor that may drop a message (the delivery interceptor): Spring
 * calls {@code afterMessageHandled} only for interceptors before the one that dropped it, and a
 * message counted here must be counted off again.
 */
public class OutboundSends implements ExecutorChannelInterceptor {

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	/**
	 * Start counting for a session that has just opened.
	 * @param sessionId the WebSocket session id
	 */
	void opened(String sessionId) {
		this.sessions.put(sessionId, new Session());
	}

	/**
	 * Stop counting for a session that has closed.
	 * @param sessionId the WebSocket session id
	 */
	void closed(String sessionId) {
		this.sessions.remove(sessionId);
	}

	/**
	 * Let no further message through to a session and wait until the ones being written to it are
	 * written, so that the caller can write its ERROR frame and close it.
	 * @param sessionId the WebSocket session id
	 * @param timeout how long to wait at most
	 * @return whether no message is being written any more
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean quiesce(String sessionId, Duration timeout) throws InterruptedException {
		Session session = this.sessions.get(sessionId);
		return session == null || session.quiesce(timeout);
	}

	@Override
	public @Nullable Message<?> beforeHandle(Message<?> message, MessageChannel channel, MessageHandler handler) {
		Session session = session(message);
		if (session != null && !session.started()) {
			// The session is closing with an ERROR.
			return OutboundMessages.drop(message);
		}
		return message;
	}

	@Override
	public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
			@Nullable Exception ex) {
		Session session = session(message);
		if (session != null) {
			session.finished();
		}
	}

	private @Nullable Session session(Message<?> message) {
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		return (sessionId != null) ? this.sessions.get(sessionId) : null;
	}

	/**
	 * Return for how many sessions sends are counted, for tests of clean-up.
	 * @return the count
	 */
	int size() {
		return this.sessions.size();
	}

	private static final class Session {

		private final ReentrantLock lock = new ReentrantLock();

		private final Condition idle = this.lock.newCondition();

		private int inFlight;

		private boolean closing;

		boolean started() {
			this.lock.lock();
			try {
				if (this.closing) {
					return false;
				}
				this.inFlight++;
				return true;
			}
			finally {
				this.lock.unlock();
			}
		}

		void finished() {
			this.lock.lock();
			try {
				if (this.inFlight > 0 && --this.inFlight == 0) {
					this.idle.signalAll();
				}
			}
			finally {
				this.lock.unlock();
			}
		}

		boolean quiesce(Duration timeout) throws InterruptedException {
			long nanos = timeout.toNanos();
			this.lock.lock();
			try {
				this.closing = true;
				while (this.inFlight > 0) {
					if (nanos <= 0) {
						return false;
					}
					nanos = this.idle.awaitNanos(nanos);
				}
				return true;
			}
			finally {
				this.lock.unlock();
			}
		}

	}

}
