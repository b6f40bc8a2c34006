package io.notifylisten.internal.notify;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.notifylisten.notify.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

class CoalescingProgressTests {

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	private final List<Sent> sent = new CopyOnWriteArrayList<>();

	CoalescingProgressTests() {
		this.scheduler.initialize();
	}

	@AfterEach
	void stop() {
		this.scheduler.shutdown();
	}

	@Test
	void tightLoopIsCoalescedAndTheLastValueArrives() {
		Progress progress = progress(Duration.ofMillis(200));
		for (int percent = 1; percent <= 99; percent++) {
			progress.update(percent, "step " + percent);
		}
		await().atMost(Duration.ofSeconds(2)).until(() -> !this.sent.isEmpty() && last().percent() == 99);

		assertThat(this.sent).hasSizeLessThanOrEqualTo(3);
		assertThat(this.sent.get(0).percent()).isEqualTo(1);
		assertThat(last().payload()).containsEntry("text", "step 99").containsEntry("busy", false);
	}

	@Test
	void sendsAtMostOneUpdatePerInterval() throws InterruptedException {
		Progress progress = progress(Duration.ofMillis(50));
		long start = System.nanoTime();
		int percent = 0;
		while (System.nanoTime() - start < Duration.ofMillis(500).toNanos()) {
			progress.update(++percent % 101, "working");
			Thread.sleep(1);
		}
		int lastPercent = percent % 101;
		await().atMost(Duration.ofSeconds(1)).until(() -> last().percent() == lastPercent);

		assertThat(this.sent).hasSizeLessThanOrEqualTo(500 / 50 + 2);
		assertThat(this.sent).hasSizeGreaterThanOrEqualTo(3);
	}

	@Test
	void doneIsSentAtOnceAndSupersedesAWaitingUpdate() throws InterruptedException {
		Progress progress = progress(Duration.ofMillis(200));
		progress.update(10, "first");
		progress.update(20, "waiting");
		progress.done("All done");
		Thread.sleep(400);
		progress.update(30, "too late");

		assertThat(this.sent).extracting(Sent::action).containsExactly("progress", "done");
		assertThat(last().payload()).containsEntry("percent", 100).containsEntry("text", "All done");
	}

	@Test
	void busyKeepsTheLastPercentAndFailedEnds() throws InterruptedException {
		Progress progress = progress(Duration.ZERO);
		progress.update(40, "copying");
		progress.busy("waiting for the printer");
		progress.failed("Printer on fire");

		assertThat(this.sent).extracting(Sent::action).containsExactly("progress", "progress", "failed");
		assertThat(this.sent.get(1).payload()).containsEntry("percent", 40).containsEntry("busy", true);
		assertThat(last().payload()).containsEntry("text", "Printer on fire");
	}

	@Test
	void refusesPercentOutsideZeroToHundred() {
		assertThatIllegalArgumentException().isThrownBy(() -> progress(Duration.ZERO).update(101, "too far"));
	}

	private Progress progress(Duration interval) {
		return new CoalescingProgress((action, payload) -> this.sent.add(new Sent(action, payload)), interval,
				this.scheduler, Clock.systemUTC());
	}

	private Sent last() {
		return this.sent.get(this.sent.size() - 1);
	}

	record Sent(String action, Map<String, Object> payload) {

		int percent() {
			return (int) this.payload.get("percent");
		}

	}

}
