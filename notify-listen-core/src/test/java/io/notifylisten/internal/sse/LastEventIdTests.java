package io.notifylisten.internal.sse;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LastEventIdTests {

	@Test
	void anIdTheStreamWroteReadsBackAsTheSamePosition() {
		String id = LastEventId.format("e7", new long[] { 3, 0, 12 });

		LastEventId position = LastEventId.parse(id, 3);

		assertThat(id).isEqualTo("e7:3,0,12");
		assertThat(position.epoch()).isEqualTo("e7");
		assertThat(position.sequences()).containsExactly(3, 0, 12);
	}

	@Test
	void noIdStartsAfresh() {
		LastEventId position = LastEventId.parse(null, 2);

		assertThat(position.epoch()).isNull();
		assertThat(position.sequences()).containsExactly(0, 0);
	}

	// The browser sends back whatever id it saw last; one from another URL's stream does
	// not fit.
	@Test
	void anIdForAnotherNumberOfChannelsStartsAfresh() {
		LastEventId position = LastEventId.parse("e7:3,4", 3);

		assertThat(position.epoch()).isNull();
		assertThat(position.sequences()).containsExactly(0, 0, 0);
	}

	@Test
	void aMalformedIdStartsAfresh() {
		assertThat(LastEventId.parse("e7:3,x", 2).epoch()).isNull();
		assertThat(LastEventId.parse("no colon", 1).epoch()).isNull();
		assertThat(LastEventId.parse("e7:3,x", 2).sequences()).containsExactly(0, 0);
	}

}
