package io.notifylisten.internal.log;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.notifylisten.internal.log.RejectedRecords.Reason;
import io.notifylisten.testfixture.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class RejectedRecordsTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));

	private final RejectedRecords rejected = new RejectedRecords("stream 'notify-listen.shop'", Duration.ofMinutes(5),
			this.clock);

	@Test
	void warnsAtTheFirstThenSumsUpOncePerIntervalByReason(CapturedOutput output) {
		this.rejected.rejected(Reason.UNSIGNED, 10);
		for (long offset = 11; offset < 1011; offset++) {
			this.rejected.rejected(Reason.BAD_SIGNATURE, offset);
		}
		this.rejected.rejected(Reason.UNSIGNED, 1011);
		this.clock.advance(Duration.ofMinutes(5));
		this.rejected.reportIfDue();
		this.rejected.reportIfDue();

		assertThat(output.getAll().lines().filter((line) -> line.contains("WARN"))).satisfiesExactly(
				(first) -> assertThat(first).contains("Dropped records of the stream 'notify-listen.shop'")
					.contains("(unsigned x1;"),
				(summed) -> assertThat(summed).contains("(unsigned x1, bad-signature x1000;"));
		assertThat(this.rejected.totals()).containsExactly(Map.entry("unsigned", 2L), Map.entry("unknown-format", 0L),
				Map.entry("bad-signature", 1000L));
	}

}
