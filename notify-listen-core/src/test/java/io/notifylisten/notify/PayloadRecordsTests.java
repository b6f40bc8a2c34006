package io.notifylisten.notify;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

/**
 * A payload record becomes the map a message carries, named as Jackson names its
 * components.
 */
class PayloadRecordsTests {

	private static final Instant POSTED = Instant.parse("2026-01-02T03:04:05Z");

	@Test
	void componentsBecomeEntriesByTheirJsonNames() {
		assertThat(PayloadRecords.toMap(new Line(7, "hello", POSTED, "secret"))).containsExactly(entry("id", 7L),
				entry("body", "hello"), entry("postedAt", POSTED));
	}

	@Test
	void aNullComponentIsRefusedByName() {
		assertThatIllegalArgumentException().isThrownBy(() -> PayloadRecords.toMap(new Line(7, null, POSTED, "")))
			.withMessageStartingWith("Payload Line.text is null");
	}

	record Line(long id, @JsonProperty("body") @Nullable String text, Instant postedAt, @JsonIgnore String internal) {
	}

}
