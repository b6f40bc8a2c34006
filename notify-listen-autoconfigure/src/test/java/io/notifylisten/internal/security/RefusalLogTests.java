package io.notifylisten.internal.security;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class RefusalLogTests {

	private final RefusalLog refusals = new RefusalLog(Duration.ofMinutes(5), null);

	@Test
	void sumsUpTheRefusalsSinceTheLastReportInOneWarnByReason(CapturedOutput output) {
		this.refusals.refused("Malformed or oversized frame", "frame from session a");
		this.refusals.refused("Malformed or oversized frame", "frame from session b");
		this.refusals.refused("Clients may not send messages", "SEND from session c");

		this.refusals.report();

		assertThat(output.getAll().lines().filter((line) -> line.contains("WARN"))).singleElement()
			.asString()
			.contains("Refused client input in the last 5 min")
			.contains("Clients may not send messages x1, Malformed or oversized frame x2");
	}

	@Test
	void reportsNothingWhenNothingWasRefusedSinceTheLastReport(CapturedOutput output) {
		this.refusals.refused("Too many frames", "UNSUBSCRIBE from session a");
		this.refusals.report();
		int afterFirst = output.getAll().length();

		this.refusals.report();

		assertThat(output.getAll().substring(afterFirst)).doesNotContain("Refused client input");
	}

}
