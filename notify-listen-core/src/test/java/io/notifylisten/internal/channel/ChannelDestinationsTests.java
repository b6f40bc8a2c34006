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
	void mapsTypeChannelToTheChannelsDestinationWithAStarForTheId() {
		TypeChannel type = TypeChannel.parseOrNull("Order/*/refresh");
		assertThat(type).isEqualTo(new TypeChannel("Order", "refresh"));
		assertThat(this.destinations.destinationOf(type)).isEqualTo("/topic/shop.Order.*.refresh");
		assertThat(this.destinations.typeOrNull("/topic/shop.Order.*.refresh")).isEqualTo(type);
		assertThat(this.destinations.typeDestinationOf(ChannelName.parse("Order/42/refresh")))
			.isEqualTo("/topic/shop.Order.*.refresh");
	}

	@Test
	void typeChannelIsOnlyAWholeStarId() {
		assertThat(TypeChannel.parseOrNull("Order/42/refresh")).isNull();
		assertThat(TypeChannel.parseOrNull("Order/4*/refresh")).isNull();
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> TypeChannel.parseOrNull("*/*/refresh"));
		assertThat(this.destinations.typeOrNull("/topic/shop.Order.42.refresh")).isNull();
		assertThat(this.destinations.typeOrNull("/topic/shop.*.*.refresh")).isNull();
		assertThat(this.destinations.typeOrNull("/topic/shop.Order.*.*")).isNull();
		assertThat(this.destinations.typeOrNull("/topic/other.Order.*.refresh")).isNull();
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
