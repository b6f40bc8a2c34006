package io.notifylisten.internal.contract;

import java.io.File;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.notifylisten.notify.PayloadRecords;
import io.notifylisten.notify.ProgressUpdate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ResolvableType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON Schema of a handler's return type says what Jackson writes for it, and
 * {@code {}} where it cannot tell.
 */
class JsonSchemasTests {

	private final JsonMapper json = JsonMapper.shared();

	// The schema a payload record declares in the contract names what
	// PayloadRecords sends.
	@Test
	void aPayloadRecordsSchemaNamesTheEntriesItIsSentAs() {
		JsonNode schema = JsonSchemas.of(ChatLine.class);

		assertThat(schema.get("properties").propertyNames()).containsExactlyElementsOf(
				PayloadRecords.toMap(new ChatLine(1, "hello", "kept out", Instant.EPOCH)).keySet());
		assertThat(schema.get("properties").propertyNames()).containsExactly("id", "body", "postedAt");
	}

	@Test
	void progressIsItsPercentTextAndBusy() {
		JsonNode schema = JsonSchemas.of(ProgressUpdate.class);

		assertThat(schema.get("properties").propertyNames()).containsExactly("percent", "text", "busy");
		assertThat(schema.at("/properties/percent/type").asString()).isEqualTo("integer");
		assertThat(schema.at("/properties/text/type").asString()).isEqualTo("string");
		assertThat(schema.at("/properties/busy/type").asString()).isEqualTo("boolean");
		assertThat(schema.get("required").values()).hasSize(3);
	}

	@Test
	void recordIsAnObjectOfItsComponentsInOrderAllRequired() {
		JsonNode schema = JsonSchemas.of(Shipment.class);

		assertThat(schema.get("type").asString()).isEqualTo("object");
		assertThat(schema.get("properties").propertyNames()).containsExactly("id", "carrier", "status", "weight",
				"shippedAt", "deliveredOn", "trackingId", "note", "parcels", "labels", "tags", "signedBy");
		assertThat(schema.get("required").values()).extracting((node) -> node.asString())
			.containsExactly("id", "carrier", "status", "weight", "shippedAt", "deliveredOn", "trackingId", "note",
					"parcels", "labels", "tags", "signedBy");
	}

	@Test
	void valuesAreTypedAsJacksonWritesThem() {
		JsonNode properties = JsonSchemas.of(Shipment.class).get("properties");

		assertThat(properties.get("id")).isEqualTo(parse("{\"type\":\"integer\"}"));
		assertThat(properties.get("carrier")).isEqualTo(parse("{\"type\":\"string\"}"));
		assertThat(properties.get("status"))
			.isEqualTo(parse("{\"type\":\"string\",\"enum\":[\"PACKED\",\"SHIPPED\",\"LOST\"]}"));
		assertThat(properties.get("weight")).isEqualTo(parse("{\"type\":\"number\"}"));
		assertThat(properties.get("shippedAt")).isEqualTo(parse("{\"type\":\"string\",\"format\":\"date-time\"}"));
		assertThat(properties.get("deliveredOn")).isEqualTo(parse("{\"type\":\"string\",\"format\":\"date\"}"));
		assertThat(properties.get("trackingId")).isEqualTo(parse("{\"type\":\"string\",\"format\":\"uuid\"}"));
	}

	@Test
	void nullableComponentsAndEmptyOptionalsMayBeNull() {
		JsonNode properties = JsonSchemas.of(Shipment.class).get("properties");

		assertThat(properties.get("note")).isEqualTo(parse("{\"type\":[\"string\",\"null\"]}"));
		assertThat(properties.get("signedBy")).isEqualTo(parse("{\"type\":[\"string\",\"null\"]}"));
	}

	@Test
	void collectionsAndMapsDescribeTheirElements() {
		JsonNode properties = JsonSchemas.of(Shipment.class).get("properties");

		assertThat(properties.get("parcels").get("type").asString()).isEqualTo("array");
		assertThat(properties.get("parcels").get("items")).isEqualTo(JsonSchemas.of(Parcel.class));
		assertThat(properties.get("labels"))
			.isEqualTo(parse("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}"));
		assertThat(properties.get("tags")).isEqualTo(parse("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"));
	}

	@Test
	void aGenericRecordIsDescribedWithItsTypeArguments() {
		JsonNode schema = JsonSchemas.of(ResolvableType.forClassWithGenerics(Page.class, Parcel.class).getType());

		assertThat(schema.at("/properties/items/items")).isEqualTo(JsonSchemas.of(Parcel.class));
		assertThat(schema.at("/properties/total")).isEqualTo(parse("{\"type\":\"integer\"}"));
	}

	@Test
	void aMapOfAnythingIsAnObjectOfAnyValues() {
		JsonNode schema = JsonSchemas
			.of(ResolvableType.forClassWithGenerics(Map.class, String.class, Object.class).getType());

		assertThat(schema).isEqualTo(parse("{\"type\":\"object\",\"additionalProperties\":{}}"));
	}

	@Test
	void beanIsAnObjectOfItsGettersWithJacksonsNamesAndIgnores() {
		JsonNode schema = JsonSchemas.of(Customer.class);

		assertThat(schema.get("properties").propertyNames()).containsExactlyInAnyOrder("name", "vip", "e-mail");
		assertThat(schema.get("properties").get("vip")).isEqualTo(parse("{\"type\":\"boolean\"}"));
	}

	@Test
	void aTypeThatContainsItselfIsAnythingWhereItRecurs() {
		JsonNode schema = JsonSchemas.of(Comment.class);

		assertThat(schema.get("properties").get("text")).isEqualTo(parse("{\"type\":\"string\"}"));
		assertThat(schema.get("properties").get("replies")).isEqualTo(parse("{\"type\":\"array\",\"items\":{}}"));
	}

	@Test
	void typesItCannotTellAreAnything() {
		assertThat(JsonSchemas.of(Object.class)).isEqualTo(parse("{}"));
		assertThat(JsonSchemas.of(File.class)).isEqualTo(parse("{}"));
		assertThat(JsonSchemas.of(Runnable.class)).isEqualTo(parse("{}"));
		assertThat(JsonSchemas.of(JsonNode.class)).isEqualTo(parse("{}"));
		assertThat(JsonSchemas.of(Money.class)).isEqualTo(parse("{}"));
		assertThat(JsonSchemas.of(Grade.class)).isEqualTo(parse("{}"));
	}

	@Test
	void primitivesAndTheirWrappersAreTheSame() {
		assertThat(JsonSchemas.of(long.class)).isEqualTo(JsonSchemas.of(Long.class))
			.isEqualTo(parse("{\"type\":\"integer\"}"));
		assertThat(JsonSchemas.of(double.class)).isEqualTo(parse("{\"type\":\"number\"}"));
		assertThat(JsonSchemas.of(boolean.class)).isEqualTo(parse("{\"type\":\"boolean\"}"));
	}

	private JsonNode parse(String schema) {
		return this.json.readTree(schema);
	}

	enum ShipmentStatus {

		PACKED, SHIPPED, LOST

	}

	record Parcel(int number, BigDecimal weight) {
	}

	record Shipment(long id, String carrier, ShipmentStatus status, BigDecimal weight, Instant shippedAt,
			LocalDate deliveredOn, UUID trackingId, @Nullable String note, List<Parcel> parcels,
			Map<String, Integer> labels, Set<String> tags, Optional<String> signedBy) {
	}

	record Comment(String text, List<Comment> replies) {
	}

	record ChatLine(long id, @JsonProperty("body") String text, @JsonIgnore String internal, Instant postedAt) {
	}

	// Jackson writes it as "12.50 EUR", not as {amount, currency}.
	record Money(BigDecimal amount, String currency) {

		@JsonValue
		String text() {
			return this.amount + " " + this.currency;
		}

	}

	// Jackson writes "A+", not "TOP".
	enum Grade {

		TOP("A+");

		private final String label;

		Grade(String label) {
			this.label = label;
		}

		@JsonValue
		public String label() {
			return this.label;
		}

	}

	record Page<T>(List<T> items, int total) {
	}

	static class Customer {

		public String getName() {
			return "Ada";
		}

		public boolean isVip() {
			return true;
		}

		@JsonProperty("e-mail")
		public String getEmail() {
			return "ada@example.com";
		}

		@JsonIgnore
		public String getPasswordHash() {
			return "secret";
		}

	}

}
