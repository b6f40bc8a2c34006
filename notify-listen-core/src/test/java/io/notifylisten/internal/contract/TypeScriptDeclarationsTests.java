package io.notifylisten.internal.contract;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.contract.Contract.ActionChannel;
import io.notifylisten.notify.ProgressUpdate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ResolvableType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TypeScript declarations merge each entity's actions into the browser client's
 * {@code NotifyListenChannels}, which types {@code listen}, and refine its
 * {@code NotifyMessage} per channel, with the same types as the AsyncAPI document's
 * schemas.
 */
class TypeScriptDeclarationsTests {

	private final Contract contract = new Contract("Shop", "1", new ChannelDestinations("shop"), "/ws", true,
			Set.of("Order", "ChatRoom"),
			List.of(ActionChannel.declared("Order", "refresh", Change.class)
				.withFilterable(List.of("status"))
				.withResult(OrderView.class), ActionChannel.declared("Order", "ship-now", null).withResult(void.class),
					ActionChannel.declared("Order", "progress", ProgressUpdate.class),
					ActionChannel.handled("ChatRoom", "message",
							ResolvableType.forClassWithGenerics(Map.class, String.class, Object.class).getType())));

	private final String declarations = TypeScriptDeclarations.of(this.contract);

	@Test
	void listsEachEntitysFilterableFieldsWithTheirPayloadTypes() {
		assertThat(this.declarations).contains("\n\t/** The payload fields a listener to every object of an entity "
				+ "may filter on (where). */\n\tinterface NotifyListenFilters {\n\t\tOrder: {\n"
				+ "\t\t\tstatus: 'NEW' | 'PAID';\n\t\t};\n\t}\n}\n");
	}

	@Test
	void importsTheClientsTypes() {
		assertThat(this.declarations).contains(
				"import type { NotifyListenChannels as Channels, NotifyMessage } from '@notify-listen/client';\n");
	}

	@Test
	void mergesEveryDeclaredActionWithItsPayloadAndResultIntoTheClientsChannels() {
		assertThat(this.declarations).contains(
				"""
						declare module '@notify-listen/client' {
							/** Each entity's actions: the payload the application declares, and what its @NotifyListen method returns (never without one). */
							interface NotifyListenChannels {
						""");
		assertThat(this.declarations).contains("""
						Order: {
							progress: {
								payload: {
									percent: number;
									text: string;
									busy: boolean;
								};
								result: never;
							};
							refresh: {
								payload: {
									status: 'NEW' | 'PAID';
								};
								result: {
									id: number;
									status: 'NEW' | 'PAID';
									amount: number;
									changedAt: string;
									note: string | null;
									lines: Array<{
										sku: string;
										quantity: number;
									}>;
								};
							};
							'ship-now': {
								payload: Record<string, never>;
								result: never;
							};
						};
				""");
	}

	@Test
	void anEntityWithoutDeclaredActionsTakesAnyActionAndTypesItsHandledOnes() {
		assertThat(this.declarations).contains("""
						ChatRoom: {
							[action: string]: { payload: Record<string, unknown>; result: unknown };
							message: {
								payload: Record<string, unknown>;
								result: Record<string, unknown>;
							};
						};
				""");
	}

	@Test
	void noticesCarryTheDeclaredPayloadsAndNoResult() {
		String notices = this.declarations.substring(this.declarations.indexOf("interface NotifyListenNotices {"),
				this.declarations.indexOf("\n}\n"));
		assertThat(notices).contains("""
				interface NotifyListenNotices {
						Order: {
							progress: {
				""").contains("""
							refresh: {
								payload: {
									status: 'NEW' | 'PAID';
								};
								result: never;
							};
				""").doesNotContain("ChatRoom");
	}

	@Test
	void aChannelsMessageRefinesNotifyMessageWithItsEntry() {
		assertThat(this.declarations).contains(
				"""
						/** Order/{id}/refresh, with what the @NotifyListen method returned for this connection's user (absent when null). */
						export interface OrderRefreshMessage extends NotifyMessage<Channels['Order']['refresh']['payload'], Channels['Order']['refresh']['result']> {
							entity: 'Order';
							action: 'refresh';
						}
						""");
		assertThat(this.declarations).contains(
				"""
						/** Order/{id}/progress. */
						export interface OrderProgressMessage extends NotifyMessage<Channels['Order']['progress']['payload'], Channels['Order']['progress']['result']> {
						""");
	}

	@Test
	void aMapIsARecordOfAnything() {
		assertThat(this.declarations).contains("\t\t\t\tresult: Record<string, unknown>;\n");
	}

	@Test
	void everyEntityHasAMessageAndTheChannelsAreMapped() {
		assertThat(this.declarations).contains("""
				export interface ChatRoomMessage extends NotifyMessage {
					entity: 'ChatRoom';
				}
				""");
		assertThat(this.declarations).contains("""
				export interface ChannelMessages {
					'ChatRoom/message': ChatRoomMessageMessage;
					'Order/progress': OrderProgressMessage;
					'Order/refresh': OrderRefreshMessage;
					'Order/ship-now': OrderShipNowMessage;
				}
				""");
		assertThat(this.declarations).contains("export type EntityName = 'ChatRoom' | 'Order';\n");
	}

	@Test
	void schemasBecomeTypes() {
		JsonMapper json = JsonMapper.shared();
		assertThat(TypeScriptDeclarations.type(json.readTree("{}"), 0)).isEqualTo("unknown");
		assertThat(TypeScriptDeclarations.type(json.readTree("{\"type\":[\"integer\",\"null\"]}"), 0))
			.isEqualTo("number | null");
		assertThat(
				TypeScriptDeclarations.type(json.readTree("{\"type\":[\"string\",\"null\"],\"enum\":[\"A\",null]}"), 0))
			.isEqualTo("'A' | null");
		assertThat(TypeScriptDeclarations.type(json.readTree("{\"const\":\"it's\"}"), 0)).isEqualTo("'it\\'s'");
		assertThat(TypeScriptDeclarations
			.type(json.readTree("{\"type\":\"object\",\"properties\":{\"e-mail\":{\"type\":\"string\"}}}"), 0))
			.isEqualTo("{\n\t'e-mail'?: string;\n}");
	}

	enum Status {

		NEW, PAID

	}

	record Line(String sku, int quantity) {
	}

	record Change(Status status) {
	}

	record OrderView(long id, Status status, BigDecimal amount, Instant changedAt, @Nullable String note,
			List<Line> lines) {
	}

	// Names an application may well choose: an entity whose name is another's entity and
	// action, and one named like the client's own message type.
	@Test
	void namesThatWouldCollideGetOneDeclarationEachInBothDocuments() {
		Contract colliding = new Contract("Shop", "1", new ChannelDestinations("shop"), "/ws", false,
				Set.of("OrderRefresh", "Notify"), List.of(ActionChannel.handled("Order", "refresh", void.class)));

		String declarations = TypeScriptDeclarations.of(colliding);
		JsonNode schemas = AsyncApiDocument.of(colliding).get("components").get("schemas");

		assertThat(declarations).containsOnlyOnce("export interface OrderRefreshMessage ")
			.containsOnlyOnce("export interface Order_RefreshMessage ")
			.containsOnlyOnce("export interface NotifyEntityMessage ")
			.doesNotContain("export interface NotifyMessage ")
			.contains("'Order/refresh': Order_RefreshMessage;");
		assertThat(schemas.propertyNames()).contains("NotifyMessage", "NotifyEntityMessage", "OrderRefreshMessage",
				"Order_RefreshMessage");
		assertThat(schemas.get("Order_RefreshMessage").toString()).contains("\"const\":\"refresh\"");
		assertThat(schemas.get("NotifyMessage").toString()).doesNotContain("\"const\":\"Notify\"");
	}

	// Entity names that differ only in '_' and '-' read the same as type names; "Message"
	// inside a name stays where it is.
	@Test
	void namesThatReadTheSameAreNumbered() {
		Contract alike = new Contract("Shop", "1", new ChannelDestinations("shop"), "/ws", false,
				Set.of("MessageBoard", "Message_Board", "Message-Board"), List.of());

		assertThat(alike.messageNames().ofEntities().values()).containsExactlyInAnyOrder("MessageBoardMessage",
				"MessageBoardEntityMessage", "MessageBoardEntity2Message");
	}

}
