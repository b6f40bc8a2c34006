package io.notifylisten.internal.channel;

import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.channel.InvalidChannelException;
import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.EntityRule;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link FilterableFields} parses only declared scalar fields, and a {@link TypeFilter}
 * has one canonical form and matches payloads by kind and value.
 */
class TypeFilterTests {

	private static final TypeChannel EVERY_ORDER = new TypeChannel("Order", "refresh");

	private final FilterableFields fields = FilterableFields.of(EntityAccessRules.builder()
		.entity("Order", EntityRule.anyListener(),
				(actions) -> actions.action("refresh", Change.class, "customer", "status", "urgent")
					.action("archived", Change.class))
		.build());

	@Test
	void theCanonicalFormSortsKeysAndWritesNumbersPlainly() {
		TypeFilter filter = this.fields.parse(EVERY_ORDER, "{ \"status\" : \"open\\u0021\", \"customer\": 4.20e1 }");
		assertThat(filter.canonical()).isEqualTo("{\"customer\":42,\"status\":\"open!\"}");
		assertThat(TypeFilter.signedName(EVERY_ORDER, filter))
			.isEqualTo("Order/*/refresh?{\"customer\":42,\"status\":\"open!\"}");
		assertThat(TypeFilter.signedName(EVERY_ORDER, null)).isEqualTo("Order/*/refresh");
		assertThat(this.fields.parse(EVERY_ORDER, "{\"customer\":0.50,\"urgent\":true}").canonical())
			.isEqualTo("{\"customer\":0.5,\"urgent\":true}");
	}

	@Test
	void twoSpellingsOfOneFilterHaveOneCanonicalFormAndTwoFiltersTwo() {
		assertThat(this.fields.parse(EVERY_ORDER, "{\"customer\":42,\"status\":\"open\"}").canonical())
			.isEqualTo(this.fields.parse(EVERY_ORDER, "{\"status\":\"open\",\"customer\":42.0}").canonical());
		assertThat(this.fields.parse(EVERY_ORDER, "{\"customer\":42}").canonical())
			.isNotEqualTo(this.fields.parse(EVERY_ORDER, "{\"customer\":\"42\"}").canonical());
	}

	@Test
	void refusesWhatIsNotADeclaredScalarWithinTheLimits() {
		assertRefused("{\"total\":1}", "Field 'total' is not filterable on Order/*/refresh");
		assertThatExceptionOfType(InvalidChannelException.class)
			.isThrownBy(() -> this.fields.parse(new TypeChannel("Order", "archived"), "{\"customer\":1}"))
			.withMessage("Field 'customer' is not filterable on Order/*/archived");
		assertRefused("{\"<script>\":1}", "Field is not filterable on Order/*/refresh");
		assertRefused("{\"customer\":{\"a\":1}}", "Filter values must be strings, numbers or booleans");
		assertRefused("{\"customer\":[1]}", "Filter values must be strings, numbers or booleans");
		assertRefused("{\"customer\":null}", "Filter values must be strings, numbers or booleans");
		assertRefused("{\"status\":\"" + "x".repeat(129) + "\"}", "Filter value longer than 128 characters");
		assertRefused("{\"customer\":1e999999}", "Filter number too long");
		assertRefused("{\"customer\":1,\"customer\":2}", "Filter must be a JSON object");
		assertRefused("[1]", "Filter must be a JSON object with at least one field");
		assertRefused("{}", "Filter must be a JSON object with at least one field");
		assertRefused("{\"customer\":", "Filter must be a JSON object");
		assertRefused("{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1}",
				"Filter has more than 8 fields");
		assertRefused("{\"status\":\"" + "x".repeat(3000) + "\"}", "Filter too long");
	}

	@Test
	void numbersMatchByValueWhateverTheirJavaType() {
		TypeFilter filter = this.fields.parse(EVERY_ORDER, "{\"customer\":42}");
		assertThat(filter.matches(payload("{\"customer\":42}"))).isTrue();
		assertThat(filter.matches(payload("{\"customer\":42.0}"))).isTrue();
		assertThat(filter.matches(payload("{\"customer\":" + Long.valueOf(42) + "}"))).isTrue();
		assertThat(filter.matches(payload("{\"customer\":43}"))).isFalse();
		assertThat(filter.matches(payload("{\"customer\":\"42\"}"))).as("a string is no number").isFalse();
		assertThat(this.fields.parse(EVERY_ORDER, "{\"customer\":9007199254740993}")
			.matches(payload("{\"customer\":9007199254740993}"))).isTrue();
	}

	@Test
	void everyFieldMustBePresentAndEqual() {
		TypeFilter filter = this.fields.parse(EVERY_ORDER, "{\"status\":\"open\",\"urgent\":true}");
		assertThat(filter.matches(payload("{\"status\":\"open\",\"urgent\":true,\"customer\":1}"))).isTrue();
		assertThat(filter.matches(payload("{\"status\":\"open\",\"urgent\":false}"))).isFalse();
		assertThat(filter.matches(payload("{\"status\":\"open\",\"urgent\":\"true\"}"))).isFalse();
		assertThat(filter.matches(payload("{\"status\":\"open\"}"))).as("a missing field").isFalse();
		assertThat(filter.matches(payload("{\"status\":\"open\",\"urgent\":null}"))).isFalse();
		assertThat(filter.matches(null)).isFalse();
	}

	private void assertRefused(String json, String reason) {
		assertThatExceptionOfType(InvalidChannelException.class).isThrownBy(() -> this.fields.parse(EVERY_ORDER, json))
			.withMessage(reason);
	}

	private static JsonNode payload(String json) {
		return JsonMapper.shared().readTree(json);
	}

	record Change(long customer, String status, boolean urgent) {

	}

}
