package io.notifylisten.channel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ChannelNameTests {

	@Test
	void parsesEntityIdAndAction() {
		ChannelName channel = ChannelName.parse("Order/42/refresh");
		assertThat(channel.entity()).isEqualTo("Order");
		assertThat(channel.id()).isEqualTo("42");
		assertThat(channel.action()).isEqualTo("refresh");
		assertThat(channel).hasToString("Order/42/refresh");
	}

	@Test
	void acceptsUuidIds() {
		assertThat(ChannelName.parse("Order/3f2b6c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b/refresh").id())
			.isEqualTo("3f2b6c1e-4a5d-4e8f-9b0a-1c2d3e4f5a6b");
	}

	@ParameterizedTest
	@ValueSource(strings = { "Order/*/refresh", "Order/#/refresh", "Order/4.2/refresh", "Order/42/>",
			"Order/42/re.fresh", "Or.der/42/refresh", "Order/../refresh", "Order/42", "Order/42/refresh/x",
			"/42/refresh", "Order//refresh", "Order/42/", "1Order/42/refresh", "Order/4 2/refresh" })
	void refusesWildcardsSeparatorsAndMissingParts(String channel) {
		assertThatExceptionOfType(InvalidChannelException.class).isThrownBy(() -> ChannelName.parse(channel));
	}

	@Test
	void namesThePartThatIsWrong() {
		assertThatExceptionOfType(InvalidChannelException.class).isThrownBy(() -> ChannelName.parse("Order/*/refresh"))
			.withMessage("Channel id must be letters, digits, '_' or '-'");
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> new ChannelName("Order", "1", "x".repeat(65)))
			.withMessage("Channel action must be at most 64 characters");
	}

}
