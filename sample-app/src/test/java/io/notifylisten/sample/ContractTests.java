package io.notifylisten.sample;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.notifylisten.sample.order.OrderStatus;
import io.notifylisten.sample.order.OrderView;
import io.notifylisten.sample.security.DemoUsers;
import io.notifylisten.security.EntityAccessRules;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's contract describes what the sample declares: a channel per entity of its
 * access rules and per action they declare, with its payload record, per action its
 * {@code @NotifiesChanges} entity sends, with the declared properties, and
 * {@code Order/refresh} with the {@link OrderView} its {@code @NotifyListen} method
 * returns. Writes the document and the TypeScript declarations to
 * {@code target/notify-listen/}, where {@code src/test/typescript} compiles a page's use
 * of them under {@code tsc --strict} (the build's {@code verify} phase).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "notify-listen.contract.enabled=true")
class ContractTests {

	private static final Path DECLARATIONS = Path.of("target", "notify-listen", "contract.d.ts");

	private static final Path DOCUMENT = Path.of("target", "notify-listen", "asyncapi.json");

	private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

	@LocalServerPort
	private int port;

	@Autowired
	private EntityAccessRules rules;

	@Test
	void everyEntityWithAnAccessRuleHasAChannel() throws Exception {
		JsonNode document = asyncApi();

		assertThat(this.rules.entities()).containsExactlyInAnyOrder("Order", "ChatRoom", "Job", "Broadcast");
		for (String entity : this.rules.entities()) {
			assertThat(document.at("/channels/" + entity + "/address").asString()).as(entity)
				.isEqualTo("/topic/sample." + entity + ".{id}.{action}");
		}
	}

	@Test
	void orderRefreshCarriesTheOrderViewTheListenerReturns() throws Exception {
		JsonNode document = asyncApi();

		assertThat(document.at("/channels/Order.refresh/address").asString())
			.isEqualTo("/topic/sample.Order.{id}.refresh");
		JsonNode result = document.at("/components/schemas/OrderRefreshMessage/allOf/1/properties/result");
		assertThat(result.get("properties").propertyNames()).containsExactlyElementsOf(
				Arrays.stream(OrderView.class.getRecordComponents()).map((component) -> component.getName()).toList());
		assertThat(result.at("/properties/id/type").asString()).isEqualTo("integer");
		assertThat(result.at("/properties/amount/type").asString()).isEqualTo("number");
		assertThat(result.at("/properties/changedAt/format").asString()).isEqualTo("date-time");
		assertThat(result.at("/properties/status/enum").values()).extracting((node) -> node.asString())
			.containsExactlyElementsOf(Arrays.stream(OrderStatus.values()).map(Enum::name).toList());
	}

	@Test
	void orderRefreshCarriesTheStatusItIsNotifiedWith() throws Exception {
		JsonNode payload = asyncApi().at("/components/schemas/OrderRefreshMessage/allOf/1/properties/payload");

		assertThat(payload.get("properties").propertyNames()).containsExactly("status");
		assertThat(payload.at("/properties/status/enum").values()).extracting((node) -> node.asString())
			.containsExactlyElementsOf(Arrays.stream(OrderStatus.values()).map(Enum::name).toList());
	}

	@Test
	void orderDeletedCarriesTheStatusNotifiesChangesDeclares() throws Exception {
		JsonNode payload = asyncApi().at("/components/schemas/OrderDeletedMessage/allOf/1/properties/payload");

		assertThat(payload.get("properties").propertyNames()).containsExactly("status");
		assertThat(payload.at("/properties/status/enum").values()).extracting((node) -> node.asString())
			.containsExactlyElementsOf(Arrays.stream(OrderStatus.values()).map(Enum::name).toList());
		assertThat(payload.get("additionalProperties").asBoolean(true)).isFalse();
	}

	@Test
	void everyDeclaredActionHasAChannel() throws Exception {
		JsonNode document = asyncApi();

		List<String> actionChannels = document.get("channels")
			.propertyNames()
			.stream()
			.filter((channel) -> channel.contains("."))
			.toList();
		// Order.deleted: ShopOrder's @NotifiesChanges leaves deleted at its default.
		assertThat(actionChannels).containsExactlyInAnyOrder("Broadcast.banner", "ChatRoom.message", "Job.done",
				"Job.failed", "Job.progress", "Order.deleted", "Order.refresh");
		assertThat(document.at("/components/schemas/JobProgressMessage/allOf/1/properties/payload/properties")
			.propertyNames()).containsExactly("percent", "text", "busy");
	}

	@Test
	void writesTheTypeScriptDeclarations() throws Exception {
		HttpResponse<String> response = get("/notify-listen/contract.d.ts");
		assertThat(response.statusCode()).isEqualTo(200);
		Files.createDirectories(DECLARATIONS.getParent());
		Files.writeString(DECLARATIONS, response.body());

		assertThat(DECLARATIONS).content()
			.contains("declare module '@notify-listen/client' {\n")
			.contains("""
							Order: {
								deleted: {
									payload: {
										status: 'NEW' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';
									};
									result: never;
								};
								refresh: {
									payload: {
										status: 'NEW' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';
									};
									result: {
										id: number;
					""")
			.contains("""
							Job: {
								done: {
									payload: {
										percent: number;
										text: string;
										busy: boolean;
									};
									result: never;
								};
					""")
			.contains("\t'Order/refresh': OrderRefreshMessage;\n")
			.contains("export type EntityName = 'Broadcast' | 'ChatRoom' | 'Job' | 'Order';\n");
	}

	private JsonNode asyncApi() throws Exception {
		HttpResponse<String> response = get("/notify-listen/asyncapi.json");
		assertThat(response.statusCode()).isEqualTo(200);
		Files.createDirectories(DOCUMENT.getParent());
		Files.writeString(DOCUMENT, response.body());
		return JsonMapper.shared().readTree(response.body());
	}

	// The sample lets only logged-in users read the contract, as every path it does not
	// permit.
	private HttpResponse<String> get(String path) throws Exception {
		logIn();
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private void logIn() throws Exception {
		String page = this.http
			.send(HttpRequest.newBuilder(uri("/login")).GET().build(), HttpResponse.BodyHandlers.ofString())
			.body();
		Matcher csrf = CSRF_FIELD.matcher(page);
		assertThat(csrf.find()).as("CSRF field of the login page").isTrue();
		String form = "username=" + DemoUsers.ALICE + "&password=" + DemoUsers.PASSWORD + "&_csrf="
				+ URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
		HttpResponse<String> login = this.http.send(HttpRequest.newBuilder(uri("/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(login.headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).doesNotContain("error"));
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
