package io.notifylisten.autoconfigure;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated configuration metadata an IDE shows: every property is there, described
 * the way Spring Boot describes its own.
 */
class NotifyListenPropertiesMetadataTests {

	@Test
	void everyPropertyHasAnIdeHint() throws Exception {
		JsonNode metadata;
		try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			metadata = JsonMapper.shared().readTree(in);
		}
		List<String> names = new ArrayList<>();
		for (JsonNode property : metadata.get("properties")) {
			String name = property.get("name").asString();
			names.add(name);
			String description = property.path("description").asString("");
			assertThat(description).as(name).isNotBlank().doesNotStartWith("The ").doesNotStartWith("A ");
		}
		assertThat(names).contains("notify-listen.key", "notify-listen.secret", "notify-listen.endpoint",
				"notify-listen.listen-role", "notify-listen.allowed-origins", "notify-listen.require-signature",
				"notify-listen.heartbeat.outgoing", "notify-listen.heartbeat.incoming", "notify-listen.csrf.enabled",
				"notify-listen.stream.host", "notify-listen.stream.outbox.max-size",
				"notify-listen.limits.max-frame-size", "notify-listen.history.size", "notify-listen.payload.max-size",
				"notify-listen.progress.max-updates-per-second", "notify-listen.publish.enabled",
				"notify-listen.role-recheck-interval", "notify-listen.contract.enabled");
		assertThat(names).contains("notify-listen.enabled", "management.health.notify-listen-broker.enabled");
		assertThat(names).filteredOn((name) -> !name.startsWith("management.health."))
			.allMatch((name) -> name.startsWith("notify-listen."));
	}

}
