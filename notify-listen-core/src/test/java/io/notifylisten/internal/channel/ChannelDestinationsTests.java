package io.notifylisten.internal.channel;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.channel.InvalidChannelException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChannelDestinationsTests {

	private final ChannelDestinations destinations = new ChannelDestinations("shop");

	@Test
	void mapsChannelToDotSeparatedTopicUnderTheKey() {
		assertThat(this.destinations.destinationOf(ChannelName.parse("Order/42/refresh")))
			.isEqualTo("/topic/shop.Order.42.refresh");
	}

	@Test
	void mapsDestinationBackToChannel() {
		assertThat(this.destinations.channelOf("/topic/shop.Order.42.refresh"))
			.isEqualTo(new ChannelName("Order", "42", "refresh"));
	}

	@Test
	void refusesDestinationsOfAnotherKey() {
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> this.destinations.channelOf("/topic/shop-test.Order.42.refresh"))
			.withMessage("Destination must start with /topic/shop.");
		assertThat(this.destinations.channelOrNull("/topic/other.Order.42.refresh")).isNull();
	}

	@Test
	void refusesWildcardAndExtraWords() {
		assertThat(this.destinations.channelOrNull("/topic/shop.Order.*.refresh")).isNull();
		assertThat(this.destinations.channelOrNull("/topic/shop.Order.#")).isNull();
		assertThat(this.destinations.channelOrNull("/topic/shop.Order.42.refresh.extra")).isNull();
		assertThat(this.destinations.channelOrNull("/user/queue/shop.Order.42.refresh")).isNull();
		assertThat(this.destinations.channelOrNull(null)).isNull();
	}

	@Test
	void refusesKeysThatWouldBreakDestinations() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ChannelDestinations("my.app"));
		assertThatIllegalArgumentException().isThrownBy(() -> new ChannelDestinations(""));
		assertThat(ChannelDestinations.isValidKey("prod_shop-1")).isTrue();
	}

}
