package io.notifylisten.listen;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a native image, a {@code @NotifyListen} method is invoked by reflection and its
 * return value, the page's {@code result}, written by Jackson: both need hints.
 */
class NotifyListenReflectiveProcessorTests {

	@Test
	void theMethodAndWhatItReturnsAreRegistered() throws Exception {
		RuntimeHints hints = new RuntimeHints();

		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints, OrderListener.class);

		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(OrderListener.class.getDeclaredMethod("refresh", long.class))).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(OrderView.class, "status")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(OrderLine.class, "sku")).accepts(hints);
	}

	static class OrderListener {

		@NotifyListen(entity = "Order", action = "refresh")
		OrderView refresh(@EntityId long id) {
			return new OrderView(id, "PAID", Instant.EPOCH, List.of());
		}

	}

	record OrderView(long id, String status, Instant changedAt, List<OrderLine> lines) {

	}

	record OrderLine(String sku, int quantity) {

	}

}
