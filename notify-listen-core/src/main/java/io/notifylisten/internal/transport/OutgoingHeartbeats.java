package io.notifylisten.internal.transport;

import java.time.Duration;
import java.util.Collection;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.WebSocketSession;

/**
 * The server's STOMP heart-beats: a connection that agreed to them gets one whenever
 * nothing else was written to it for most of the agreed interval, whichever route wrote
 * (Spring's STOMP handler, the direct fan-out, an ERROR frame).
 *
 * <p>
 * Why not Spring's simple broker: it checks once per interval whether the interval has
 * passed since its own last write, so a heart-beat can come up to twice the interval
 * after the last write (the first one 10–20 s after CONNECTED with the defaults), and it
 * does not see the direct fan-out's writes at all. stomp.js closes a connection that
 * stays silent for twice the agreed interval, so a healthy page could be dropped. Here a
 * check runs {@value #CHECKS_PER_INTERVAL} times per offered interval, and a connection
 * quiet for all but two checks' worth of its interval gets a heart-beat: no silence is
 * longer than the interval less one check, which leaves that check's time for a late
 * scheduler and a busy outbox.
 */
final class OutgoingHeartbeats implements Runnable {

	private static final Log logger = LogFactory.getLog(OutgoingHeartbeats.class);

	static final int CHECKS_PER_INTERVAL = 8;

	private static final long MIN_CHECK_NANOS = Duration.ofMillis(1).toNanos();

	private final long offeredMillis;

	private final long checkNanos;

	private final Collection<WebSocketSession> sessions;

	private final ConnectionOutboxes outboxes;

	/**
	 * Create the heart-beats.
	 * @param offered how often the server offers to write at least; zero for never
	 * @param sessions the open sessions, a live view
	 * @param outboxes where heart-beats wait behind what else goes to a connection
	 */
	OutgoingHeartbeats(Duration offered, Collection<WebSocketSession> sessions, ConnectionOutboxes outboxes) {
		this.offeredMillis = Math.max(0, offered.toMillis());
		this.checkNanos = Math.max(offered.toNanos() / CHECKS_PER_INTERVAL, MIN_CHECK_NANOS);
		this.sessions = sessions;
		this.outboxes = outboxes;
	}

	/**
	 * Start the checks, if the server offers heart-beats.
	 * @param scheduler runs them
	 */
	void start(TaskScheduler scheduler) {
		if (this.offeredMillis > 0) {
			scheduler.scheduleAtFixedRate(this, Duration.ofNanos(this.checkNanos));
		}
	}

	/**
	 * Return how often the server offers to write at least: the first value of the
	 * CONNECTED frame's {@code heart-beat} header.
	 * @return the interval in milliseconds, zero for never
	 */
	long offeredMillis() {
		return this.offeredMillis;
	}

	/**
	 * Agree on heart-beats with a connection about to get its CONNECTED frame, as STOMP
	 * negotiates them: if the client wants to hear from the server and the server offers
	 * heart-beats, the server writes at least every so often, the larger of the two.
	 * @param session the connection's session
	 * @param clientHeartbeat the {@code heart-beat} header of the client's CONNECT, or
	 * {@code null}
	 */
	void agree(BatchingWebSocketSession session, long @Nullable [] clientHeartbeat) {
		long clientWants = (clientHeartbeat != null && clientHeartbeat.length == 2) ? clientHeartbeat[1] : 0;
		if (clientWants > 0 && this.offeredMillis > 0) {
			long interval = Duration.ofMillis(Math.max(clientWants, this.offeredMillis)).toNanos();
			session.writeAtLeastEvery(interval - 2 * this.checkNanos);
		}
	}

	// On the scheduler: only queues heart-beats, the outboxes' threads write them.
	@Override
	public void run() {
		long now = System.nanoTime();
		for (WebSocketSession session : this.sessions) {
			try {
				if (session instanceof BatchingWebSocketSession batching && batching.heartbeatDue(now)) {
					this.outboxes.execute(batching.getId(), batching::sendHeartbeat);
				}
			}
			catch (RuntimeException ex) {
				// The next connection, and the next check, must still get theirs.
				logger.debug("Failed to queue a heart-beat for session " + session.getId(), ex);
			}
		}
	}

}
