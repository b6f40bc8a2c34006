package io.notifylisten.notify;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class ListenPositionTests {

	@Test
	void isWrittenAndReadAsEpochColonSequence() {
		ListenPosition position = new ListenPosition("notify-listen.shop", 42);

		assertThat(position).hasToString("notify-listen.shop:42");
		assertThat(ListenPosition.parse("notify-listen.shop:42")).isEqualTo(position);
		assertThat(ListenPosition.parse("a:b:7")).as("an epoch may hold a colon")
			.isEqualTo(new ListenPosition("a:b", 7));
	}

	@Test
	void isAStringInJson() {
		assertThat(JsonMapper.shared().writeValueAsString(new ListenPosition("4f1c", 17))).isEqualTo("\"4f1c:17\"");
	}

	@Test
	void textThatIsNoPositionParsesToNull() {
		assertThat(ListenPosition.parse(null)).isNull();
		assertThat(ListenPosition.parse("17")).isNull();
		assertThat(ListenPosition.parse(":17")).isNull();
		assertThat(ListenPosition.parse("4f1c:x")).isNull();
	}

}
