package io.notifylisten.internal.contract;

import java.lang.reflect.Method;
import java.util.List;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.contract.Contract.ActionChannel;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.internal.persistence.NotifiedAction;
import io.notifylisten.internal.persistence.NotifiedAction.PayloadProperty;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.EntityRule;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract holds every action the rules declare and every {@code @NotifyListen}
 * method, one channel each where both name the same action.
 */
class ContractTests {

	private final NotifyListenHandlers handlers = new NotifyListenHandlers(new DefaultConversionService(), null);

	@Test
	void declaredActionsAndHandlersAreOneChannelEach() {
		EntityAccessRules rules = EntityAccessRules.builder()
			.entity("Order", EntityRule.anyListener(),
					(actions) -> actions.action("refresh", Change.class, "status").action("archived"))
			.build();
		register("refresh");
		register("paid");

		Contract contract = Contract.of("Shop", "1", new ChannelDestinations("shop"), "/ws", false, rules,
				this.handlers);

		assertThat(contract.entities()).containsExactly("Invoice", "Order");
		assertThat(contract.channels()).containsExactly(ActionChannel.handled("Invoice", "paid", View.class),
				ActionChannel.declared("Order", "archived", null),
				ActionChannel.declared("Order", "refresh", Change.class)
					.withFilterable(List.of("status"))
					.withResult(View.class));
	}

	@Test
	void entitiesActionsAreChannelsWithTheirPropertiesUnlessTheRulesDeclareThem() {
		EntityAccessRules rules = EntityAccessRules.builder()
			.entity("Order", EntityRule.anyListener(), (actions) -> actions.action("refresh", Change.class))
			.build();
		register("paid");
		List<PayloadProperty> status = List.of(new PayloadProperty("status", String.class, false));
		List<PayloadProperty> line = List.of(new PayloadProperty("product", String.class, true),
				new PayloadProperty("quantity", int.class, false));

		Contract contract = Contract.of("Shop", "1", new ChannelDestinations("shop"), "/ws", false, rules,
				this.handlers,
				List.of(new NotifiedAction("Order", "refresh", status),
						new NotifiedAction("OrderLine", "created", line),
						new NotifiedAction("Invoice", "paid", List.of())));

		assertThat(contract.entities()).containsExactly("Invoice", "Order", "OrderLine");
		assertThat(contract.channels()).containsExactly(
				ActionChannel.notified(new NotifiedAction("Invoice", "paid", List.of())).withResult(View.class),
				ActionChannel.declared("Order", "refresh", Change.class),
				ActionChannel.notified(new NotifiedAction("OrderLine", "created", line)));
		JsonNode payload = contract.channels().get(2).payloadSchema();
		assertThat(payload.get("required").values()).extracting(JsonNode::asString)
			.containsExactly("product", "quantity");
		assertThat(payload.at("/properties/product/type").values()).extracting(JsonNode::asString)
			.containsExactly("string", "null");
		assertThat(payload.at("/properties/quantity/type").asString()).isEqualTo("integer");
		assertThat(payload.get("additionalProperties").asBoolean(true)).isFalse();
	}

	private void register(String methodName) {
		Method method = ReflectionUtils.findMethod(Listener.class, methodName, NotifyMessage.class);
		this.handlers.register(new Listener(), method, method.getAnnotation(NotifyListen.class));
	}

	static class Listener {

		@NotifyListen(entity = "Order", action = "refresh")
		View refresh(NotifyMessage message) {
			return new View(message.id());
		}

		@NotifyListen(entity = "Invoice", action = "paid")
		View paid(NotifyMessage message) {
			return new View(message.id());
		}

	}

	record Change(String status) {
	}

	record View(String id) {
	}

}
