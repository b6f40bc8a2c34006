package io.notifylisten.internal.broker;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FanOutMemoTests {

	private final AtomicInteger computed = new AtomicInteger();

	@Test
	void computesOncePerSharedPayloadArray() {
		FanOutMemo<byte[], Integer> memo = new FanOutMemo<>(this::length);
		byte[] shared = { 1, 2, 3 };

		assertThat(memo.get(shared)).isEqualTo(3);
		assertThat(memo.get(shared)).isEqualTo(3);
		assertThat(this.computed).hasValue(1);
		// Arrays are equal only to themselves: another array is another key, whatever it
		// holds.
		assertThat(memo.get(new byte[] { 1, 2, 3 })).isEqualTo(3);
		assertThat(this.computed).hasValue(2);
	}

	@Test
	void equalStringsShareOneComputation() {
		FanOutMemo<String, Integer> memo = new FanOutMemo<>(this::length);
		// As where each connection's message carries strings of its own.
		String first = new String("/topic/shop.Order.1.shipped".toCharArray());
		String second = new String("/topic/shop.Order.1.shipped".toCharArray());

		assertThat(memo.get(first)).isEqualTo(27);
		assertThat(memo.get(second)).isEqualTo(27);
		assertThat(this.computed).hasValue(1);
	}

	@Test
	void keysInOneSlotNeverGetEachOthersValue() {
		FanOutMemo<String, String> memo = new FanOutMemo<>((key) -> {
			this.computed.incrementAndGet();
			return "value of " + key;
		});
		// "Aa" and "BB" have the same hash code, so they take the same slot.
		assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());

		assertThat(memo.get("Aa")).isEqualTo("value of Aa");
		assertThat(memo.get("BB")).isEqualTo("value of BB");
		assertThat(memo.get("Aa")).isEqualTo("value of Aa");
		assertThat(this.computed).hasValue(3);
	}

	private Integer length(byte[] key) {
		this.computed.incrementAndGet();
		return key.length;
	}

	private Integer length(String key) {
		this.computed.incrementAndGet();
		return key.length();
	}

}
