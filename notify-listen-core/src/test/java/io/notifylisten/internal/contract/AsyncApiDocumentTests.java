package io.notifylisten.internal.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.contract.Contract.ActionChannel;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AsyncAPI document names every channel a page can subscribe to, at the destination
 * the server uses, with the message it gets there; a handler's channel types its
 * {@code result}.
 */
class AsyncApiDocumentTests {

	private static final ChannelDestinations SHOP = new ChannelDestinations("shop");

	private final Contract contract = new Contract("Shop", "1.2.0", SHOP, "/notify-listen/ws", true,
			Set.of("Order", "ChatRoom"),
			List.of(ActionChannel.declared("Order", "refresh", Change.class)
				.withFilterable(List.of("status"))
				.withResult(OrderView.class), ActionChannel.handled("Order", "ship-now", void.class),
					ActionChannel.declared("ChatRoom", "closed", null)));

	private final JsonNode document = AsyncApiDocument.of(this.contract);

	@Test
	void isAnAsyncApi3DocumentOfTheStompServer() {
		assertThat(this.document.get("asyncapi").asString()).isEqualTo("3.0.0");
		assertThat(this.document.at("/info/title").asString()).isEqualTo("Shop");
		assertThat(this.document.at("/info/version").asString()).isEqualTo("1.2.0");
		assertThat(this.document.at("/servers/notifyListen/protocol").asString()).isEqualTo("stomp");
		assertThat(this.document.at("/servers/notifyListen/pathname").asString()).isEqualTo("/notify-listen/ws");
	}

	@Test
	void everyEntityHasAChannelForAnyActionAndOneForItsPresence() {
		assertThat(this.document.at("/channels/Order/address").asString()).isEqualTo("/topic/shop.Order.{id}.{action}");
		assertThat(this.document.at("/channels/ChatRoom/address").asString())
			.isEqualTo("/topic/shop.ChatRoom.{id}.{action}");
		assertThat(this.document.at("/channels/Order/parameters").propertyNames()).containsExactly("id", "action");
		assertThat(this.document.at("/channels/presence-Order/address").asString())
			.isEqualTo("/topic/shop.presence.Order.{id}.members");
		assertThat(this.document.at("/components/schemas/OrderMessage/allOf/1/properties/entity/const").asString())
			.isEqualTo("Order");
	}

	@Test
	void anIdOfStarListensToEveryObjectOfTheEntity() {
		assertThat(this.document.at("/channels/Order/parameters/id/description").asString())
			.contains("'*' for every Order the user may read");
		assertThat(this.document.at("/channels/Order.refresh/parameters/id/description").asString())
			.contains("'*' for every Order the user may read");
	}

	@Test
	void anActionWithFilterableFieldsDescribesTheFilterOfAListenerToEveryObject() {
		JsonNode where = this.document.at("/channels/Order.refresh/" + AsyncApiDocument.WHERE_EXTENSION);
		assertThat(where.get("type").asString()).isEqualTo("object");
		assertThat(where.get("properties").propertyNames()).containsExactly("status");
		assertThat(where.at("/properties/status/enum").values()).extracting(JsonNode::asString)
			.containsExactly("NEW", "PAID");
		assertThat(where.get("additionalProperties").asBoolean(true)).isFalse();
		assertThat(where.get("description").asString()).contains("SUBSCRIBE's 'where' header")
			.contains("Order/*/refresh?{filter}");
		assertThat(this.document.at("/channels/ChatRoom.closed").has(AsyncApiDocument.WHERE_EXTENSION)).isFalse();
	}

	@Test
	void everyHandlerHasAChannelWhoseMessageCarriesItsResult() {
		assertThat(this.document.at("/channels/Order.refresh/address").asString())
			.isEqualTo("/topic/shop.Order.{id}.refresh");
		assertThat(this.document.at("/channels/Order.refresh/title").asString()).isEqualTo("Order/{id}/refresh");
		JsonNode refinement = this.document.at("/components/schemas/OrderRefreshMessage/allOf/1/properties");
		assertThat(refinement.at("/entity/const").asString()).isEqualTo("Order");
		assertThat(refinement.at("/action/const").asString()).isEqualTo("refresh");
		assertThat(refinement.at("/result/properties").propertyNames()).containsExactly("id", "status");
		assertThat(refinement.at("/result/properties/status/enum").values()).extracting((node) -> node.asString())
			.containsExactly("NEW", "PAID");
		assertThat(this.document.at("/components/schemas/OrderRefreshMessage/allOf/0/$ref").asString())
			.isEqualTo("#/components/schemas/NotifyMessage");
	}

	@Test
	void aDeclaredActionsMessageCarriesItsPayload() {
		JsonNode payload = this.document.at("/components/schemas/OrderRefreshMessage/allOf/1/properties/payload");
		assertThat(payload.at("/properties").propertyNames()).containsExactly("status");
		assertThat(payload.at("/properties/status/enum").values()).extracting((node) -> node.asString())
			.containsExactly("NEW", "PAID");
		assertThat(payload.at("/required").values()).extracting((node) -> node.asString()).containsExactly("status");
	}

	@Test
	void aDeclaredActionWithoutAHandlerHasAChannelWithAnEmptyPayloadAndNoResult() {
		assertThat(this.document.at("/channels/ChatRoom.closed/address").asString())
			.isEqualTo("/topic/shop.ChatRoom.{id}.closed");
		assertThat(this.document.at("/channels/ChatRoom.closed/description").asString())
			.doesNotContain("@NotifyListen");
		JsonNode refinement = this.document.at("/components/schemas/ChatRoomClosedMessage/allOf/1/properties");
		assertThat(refinement.at("/payload/type").asString()).isEqualTo("object");
		assertThat(refinement.at("/payload/additionalProperties").asBoolean(true)).isFalse();
		assertThat(refinement.has("result")).isFalse();
	}

	@Test
	void anActionNothingDeclaresTakesAnyPayload() {
		JsonNode payload = this.document
			.at("/components/schemas/OrderShipNowMessage/allOf/1/properties/payload/additionalProperties");
		assertThat(payload.isObject()).isTrue();
		assertThat(payload.isEmpty()).isTrue();
	}

	@Test
	void aHandlerThatReturnsNothingHasNoResult() {
		JsonNode refinement = this.document.at("/components/schemas/OrderShipNowMessage/allOf/1/properties");
		assertThat(refinement.at("/action/const").asString()).isEqualTo("ship-now");
		assertThat(refinement.has("result")).isFalse();
	}

	@Test
	void theMessageFormatIsNotifyMessage() {
		JsonNode schema = this.document.at("/components/schemas/NotifyMessage");
		assertThat(schema.get("properties").propertyNames()).containsExactly("entity", "id", "action", "changedAt",
				"notifiedBy", "payload", "epoch", "sequence", "result");
		assertThat(schema.get("required").values()).extracting((node) -> node.asString())
			.containsExactly("entity", "id", "action", "changedAt", "notifiedBy", "payload");
	}

	@Test
	void noticesAndUserTopicsAreTheKeysOwn() {
		assertThat(this.document.at("/channels/notify-listen-notices/address").asString())
			.isEqualTo("/user/topic/shop.notices");
		assertThat(this.document.at("/channels/notify-listen-user/address").asString())
			.isEqualTo("/user/topic/shop.notify");
	}

	@Test
	void theApplicationSendsOnEveryChannel() {
		List<String> channels = new ArrayList<>(this.document.get("channels").propertyNames());
		List<String> sentOn = new ArrayList<>();
		for (JsonNode operation : this.document.get("operations").values()) {
			assertThat(operation.get("action").asString()).isEqualTo("send");
			sentOn.add(operation.at("/channel/$ref").asString().substring("#/channels/".length()));
		}
		assertThat(sentOn).containsExactlyInAnyOrderElementsOf(channels);
	}

	@Test
	void everyReferenceResolvesWithinTheDocument() {
		List<String> references = new ArrayList<>();
		collectReferences(this.document, references);
		assertThat(references).isNotEmpty().allSatisfy((reference) -> {
			assertThat(reference).startsWith("#/");
			assertThat(this.document.at(reference.substring(1)).isMissingNode()).as(reference).isFalse();
		});
	}

	@Test
	void withoutPresenceThereAreNoPresenceChannels() {
		Contract withoutPresence = new Contract("Shop", "1", SHOP, "/ws", false, Set.of("Order"), List.of());
		JsonNode document = AsyncApiDocument.of(withoutPresence);

		assertThat(document.get("channels").propertyNames()).containsExactlyInAnyOrder("Order", "notify-listen-notices",
				"notify-listen-user");
		assertThat(document.at("/components/schemas").has("PresenceMessage")).isFalse();
	}

	private static void collectReferences(JsonNode node, List<String> references) {
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> property : node.properties()) {
				if (property.getKey().equals("$ref")) {
					references.add(property.getValue().asString());
				}
				collectReferences(property.getValue(), references);
			}
		}
		else if (node.isArray()) {
			node.values().forEach((element) -> collectReferences(element, references));
		}
	}

	enum Status {

		NEW, PAID

	}

	record OrderView(long id, Status status) {
	}

	record Change(Status status) {
	}

}
