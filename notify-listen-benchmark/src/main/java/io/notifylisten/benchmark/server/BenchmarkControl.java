package io.notifylisten.benchmark.server;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionDisconnectEvent;
import org.springframework.web.socket.messaging.SessionSubscribeEvent;

/**
 * The endpoints the load generator calls on either server: {@code /bench/stats} for heap,
 * RSS, connections and subscriptions, {@code /bench/notify} to notify one channel in a
 * burst, and {@code /bench/notify-many} to notify many channels at a steady rate. Every
 * loop is bounded.
 */
@RestController
public class BenchmarkControl {

	/** No request may keep the server busy for longer than this. */
	private static final Duration MAX_RUN = Duration.ofSeconds(120);

	private static final int MAX_COUNT = 1_000_000;

	private final Publisher publisher;

	private final ObjectProvider<MeterRegistry> meters;

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicLong subscriptions = new AtomicLong();

	private final Map<String, AtomicInteger> subscriptionsBySession = new ConcurrentHashMap<>();

	public BenchmarkControl(Publisher publisher, ObjectProvider<MeterRegistry> meters) {
		this.publisher = publisher;
		this.meters = meters;
	}

	@EventListener
	void onConnected(SessionConnectedEvent event) {
		connected();
	}

	@EventListener
	void onSubscribe(SessionSubscribeEvent event) {
		String sessionId = (String) event.getMessage().getHeaders().get("simpSessionId");
		if (sessionId != null) {
			subscribed(sessionId);
		}
	}

	@EventListener
	void onDisconnect(SessionDisconnectEvent event) {
		disconnected(event.getSessionId());
	}

	/**
	 * Count a STOMP connection (a server without Spring's STOMP events calls it itself).
	 */
	public void connected() {
		this.connections.incrementAndGet();
	}

	/** Count a subscription of the given session. */
	public void subscribed(String sessionId) {
		this.subscriptionsBySession.computeIfAbsent(sessionId, (id) -> new AtomicInteger()).incrementAndGet();
		this.subscriptions.incrementAndGet();
	}

	/** Count the end of a STOMP connection and of its subscriptions. */
	public void disconnected(String sessionId) {
		this.connections.decrementAndGet();
		AtomicInteger held = this.subscriptionsBySession.remove(sessionId);
		if (held != null) {
			this.subscriptions.addAndGet(-held.get());
		}
	}

	@GetMapping("/bench/stats")
	Map<String, Object> stats(@RequestParam(defaultValue = "false") boolean gc) throws Exception {
		if (gc) {
			// Two collections and a pause: the second one catches what the first one's
			// finalization freed.
			System.gc();
			Thread.sleep(200);
			System.gc();
			Thread.sleep(200);
		}
		Map<String, Object> stats = new LinkedHashMap<>();
		stats.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
		stats.put("rss", residentSetSize());
		stats.put("connections", this.connections.get());
		stats.put("subscriptions", this.subscriptions.get());
		MeterRegistry registry = this.meters.getIfAvailable();
		if (registry != null) {
			for (String name : new String[] { "notify.listen.notified", "notify.listen.delivered",
					"notify.listen.dropped", "notify.listen.conflated" }) {
				// Summed over their tags: dropped has one counter per reason.
				Collection<Counter> counters = registry.find(name).counters();
				if (!counters.isEmpty()) {
					stats.put(name, (long) counters.stream().mapToDouble(Counter::count).sum());
				}
			}
			// Cumulative since start, unlike the timer's histogram, which rotates: a
			// measurement takes the difference.
			Timer handOff = registry.find("notify.listen.delivery.latency").timer();
			if (handOff != null) {
				stats.put("handOffCount", handOff.count());
				stats.put("handOffMicros", (long) handOff.totalTime(TimeUnit.MICROSECONDS));
			}
		}
		return stats;
	}

	@PostMapping("/bench/notify")
	Map<String, Object> notify(@RequestParam String entity, @RequestParam String id, @RequestParam String action,
			@RequestParam(defaultValue = "1") int count) {
		long deadline = System.nanoTime() + MAX_RUN.toNanos();
		int sent = 0;
		while (sent < Math.min(count, MAX_COUNT) && System.nanoTime() < deadline) {
			this.publisher.publish(entity, id, action);
			sent++;
		}
		return Map.of("sent", sent);
	}

	/**
	 * Notify {@code total} times at {@code rate} per second, round robin over the ids
	 * {@code prefix0 .. prefix(channels-1)}.
	 */
	@PostMapping("/bench/notify-many")
	Map<String, Object> notifyMany(@RequestParam String entity, @RequestParam String idPrefix,
			@RequestParam String action, @RequestParam int channels, @RequestParam int rate, @RequestParam int total) {
		long start = System.nanoTime();
		long deadline = start + MAX_RUN.toNanos();
		long interval = 1_000_000_000L / Math.max(1, rate);
		int sent = 0;
		while (sent < Math.min(total, MAX_COUNT) && System.nanoTime() < deadline) {
			long due = start + sent * interval;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			this.publisher.publish(entity, idPrefix + (sent % Math.max(1, channels)), action);
			sent++;
		}
		return Map.of("sent", sent, "seconds", (System.nanoTime() - start) / 1e9);
	}

	private static long residentSetSize() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		catch (Exception ex) {
			// Not Linux: RSS is reported as unknown.
		}
		return -1;
	}

}
