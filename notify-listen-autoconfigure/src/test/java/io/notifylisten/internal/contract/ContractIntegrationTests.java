package io.notifylisten.internal.contract;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test application serves its contract when asked to: its one entity rule, its one
 * {@code @NotifyListen} method and its {@code @NotifiesChanges} entity, behind its own
 * security.
 */
@OrdersServerTest({ "notify-listen.key=contract-test", "notify-listen.contract.enabled=true",
		"spring.application.name=orders" })
class ContractIntegrationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Test
	void servesTheAsyncApiDocumentOfTheApplicationsDeclarations() throws Exception {
		HttpResponse<String> response = get(ContractController.ASYNCAPI_PATH, OrdersTestApplication.ALICE);

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		JsonNode document = JsonMapper.shared().readTree(response.body());
		assertThat(document.get("asyncapi").asString()).isEqualTo("3.0.0");
		assertThat(document.at("/info/title").asString()).isEqualTo("orders");
		assertThat(document.at("/servers/notifyListen/pathname").asString()).isEqualTo("/notify-listen/ws");
		assertThat(document.get("channels").propertyNames()).containsExactlyInAnyOrder("Order", "Order.refresh",
				"presence-Order", "OrderLine", "OrderLine.created", "OrderLine.updated", "OrderLine.deleted",
				"presence-OrderLine", "notify-listen-notices", "notify-listen-user");
		assertThat(document.at("/channels/Order.refresh/address").asString())
			.isEqualTo("/topic/contract-test.Order.{id}.refresh");
		// OrderListener.refresh returns a Map<String, Object>.
		JsonNode result = document.at("/components/schemas/OrderRefreshMessage/allOf/1/properties/result");
		assertThat(result.get("type").asString()).isEqualTo("object");
		// {}: any value, as a Map<String, Object> may hold.
		assertThat(result.get("additionalProperties").isObject()).isTrue();
		assertThat(result.get("additionalProperties").isEmpty()).isTrue();
	}

	// OrderLine is @NotifiesChanges(payload = { "product", "quantity" }, parents =
	// "order",
	// parentAction = "refresh"); its parent Order declares none, so Order/refresh, which
	// the application also notifies by hand, is not claimed to carry no payload.
	@Test
	void listsTheActionsOfNotifiesChangesEntitiesWithTheirPayloads() throws Exception {
		JsonNode document = JsonMapper.shared()
			.readTree(get(ContractController.ASYNCAPI_PATH, OrdersTestApplication.ALICE).body());
		for (String action : new String[] { "created", "updated", "deleted" }) {
			assertThat(document.at("/channels/OrderLine." + action + "/address").asString())
				.isEqualTo("/topic/contract-test.OrderLine.{id}." + action);
			JsonNode payload = document.at("/components/schemas/OrderLine" + Character.toUpperCase(action.charAt(0))
					+ action.substring(1) + "Message/allOf/1/properties/payload");
			assertThat(payload.get("properties").propertyNames()).as(action).containsExactly("product", "quantity");
			assertThat(payload.at("/properties/quantity/type").asString()).isEqualTo("integer");
			assertThat(payload.get("additionalProperties").asBoolean(true)).isFalse();
		}
		assertThat(
				document.at("/components/schemas/OrderRefreshMessage/allOf/1/properties/payload/additionalProperties")
					.isObject())
			.as("any payload")
			.isTrue();

		String declarations = get(ContractController.TYPESCRIPT_PATH, OrdersTestApplication.ALICE).body();
		assertThat(declarations)
			.contains("\t\tOrderLine: {\n\t\t\tcreated: {\n\t\t\t\tpayload: {\n"
					+ "\t\t\t\t\tproduct: string | null;\n\t\t\t\t\tquantity: number;\n\t\t\t\t};\n")
			.contains("\t'OrderLine/deleted': OrderLineDeletedMessage;\n");
	}

	@Test
	void servesTheTypeScriptDeclarations() throws Exception {
		HttpResponse<String> response = get(ContractController.TYPESCRIPT_PATH, OrdersTestApplication.BOB);

		assertThat(response.statusCode()).isEqualTo(200);
		// Its rule declares no action: any action, with the handled one's result typed.
		assertThat(response.body()).contains("""
				declare module '@notify-listen/client' {
				""")
			.contains("""
							Order: {
								[action: string]: { payload: Record<string, unknown>; result: unknown };
								refresh: {
									payload: Record<string, unknown>;
									result: Record<string, unknown>;
								};
							};
					""")
			.contains(
					"""
							export interface OrderRefreshMessage extends NotifyMessage<Channels['Order']['refresh']['payload'], Channels['Order']['refresh']['result']> {
								entity: 'Order';
								action: 'refresh';
							}
							""")
			.contains("\t'Order/refresh': OrderRefreshMessage;\n");
	}

	@Test
	void theApplicationsSecurityDecidesWhoMayReachIt() throws Exception {
		assertThat(get(ContractController.ASYNCAPI_PATH, null).statusCode()).isEqualTo(401);
		assertThat(get(ContractController.TYPESCRIPT_PATH, null).statusCode()).isEqualTo(401);
	}

	// It shows every channel and the application's version: of use to those who build
	// pages.
	@Test
	void aUserWithoutTheListenRoleMayNotReadIt() throws Exception {
		for (String path : new String[] { ContractController.ASYNCAPI_PATH, ContractController.TYPESCRIPT_PATH }) {
			HttpResponse<String> response = get(path, OrdersTestApplication.CAROL);

			assertThat(response.statusCode()).as(path).isEqualTo(403);
			assertThat(response.body()).isEqualTo("{\"error\":\"Listen role required\"}");
		}
	}

	@Test
	void holdsNoSecret() throws Exception {
		String document = get(ContractController.ASYNCAPI_PATH, OrdersTestApplication.ALICE).body();

		assertThat(document).doesNotContain(OrdersServerTest.SECRET).doesNotContain(OrdersTestApplication.ALICE);
	}

	private HttpResponse<String> get(String path, String username) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
		if (username != null) {
			String credentials = username + ":password";
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return this.http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
	}

}
