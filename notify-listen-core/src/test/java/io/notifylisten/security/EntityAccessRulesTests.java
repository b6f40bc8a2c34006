package io.notifylisten.security;

import java.util.List;

import io.notifylisten.notify.ProgressUpdate;
import io.notifylisten.security.EntityAccessRules.DeclaredAction;
import io.notifylisten.security.EntityAccessRules.EntityRule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * An entity's actions and their payload records are declared beside its rule, for the
 * application's contract.
 */
class EntityAccessRulesTests {

	@Test
	void actionsAreKeptInTheOrderTheyWereDeclared() {
		EntityAccessRules rules = EntityAccessRules.builder()
			.entity("Order", EntityRule.anyListener(),
					(actions) -> actions.action("refresh", Change.class).action("archived"))
			.entity("ChatRoom", EntityRule.anyListener())
			.build();

		assertThat(rules.actionsOf("Order")).containsExactly(new DeclaredAction("refresh", Change.class),
				new DeclaredAction("archived", null));
		assertThat(rules.actionsOf("ChatRoom")).isEmpty();
		assertThat(rules.actionsOf("Nothing")).isEmpty();
	}

	@Test
	void progressDeclaresTheActionsOfNotifierProgress() {
		EntityAccessRules rules = EntityAccessRules.builder()
			.entity("Job", EntityRule.anyListener(), EntityAccessRules.Actions::progress)
			.build();

		assertThat(rules.actionsOf("Job")).containsExactly(new DeclaredAction("progress", ProgressUpdate.class),
				new DeclaredAction("done", ProgressUpdate.class), new DeclaredAction("failed", ProgressUpdate.class));
	}

	@Test
	void anInvalidOrRepeatedActionFailsNamingTheEntity() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> EntityAccessRules.builder()
				.entity("Order", EntityRule.anyListener(), (actions) -> actions.action("re fresh")))
			.withMessage("Invalid action name 're fresh' of entity 'Order'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> EntityAccessRules.builder()
				.entity("Order", EntityRule.anyListener(),
						(actions) -> actions.action("refresh").action("refresh", Change.class)))
			.withMessage("Action 'refresh' of entity 'Order' is declared twice");
	}

	@Test
	void combinedRulesKeepTheirActions() {
		EntityAccessRules orders = EntityAccessRules.builder()
			.entity("Order", EntityRule.anyListener(), (actions) -> actions.action("refresh", Change.class))
			.build();
		EntityAccessRules jobs = EntityAccessRules.builder()
			.entity("Job", EntityRule.anyListener(), EntityAccessRules.Actions::progress)
			.build();

		EntityAccessRules both = orders.and(jobs);

		assertThat(both.actionsOf("Order")).containsExactly(new DeclaredAction("refresh", Change.class));
		assertThat(both.actionsOf("Job")).hasSize(3);
	}

	@Test
	void filterableFieldsAreKeptWithTheirActionAcrossCombinedRules() {
		EntityAccessRules orders = EntityAccessRules.builder()
			.entity("Order", EntityRule.anyListener(),
					(actions) -> actions.action("refresh", Change.class, "status", "customer"))
			.build();

		assertThat(orders.and(EntityAccessRules.none()).actionsOf("Order"))
			.containsExactly(new DeclaredAction("refresh", Change.class, List.of("status", "customer")));
	}

	@Test
	void aFilterableFieldThatIsNoScalarComponentOfThePayloadFailsNamingEntityActionAndField() {
		assertThatIllegalArgumentException().isThrownBy(() -> EntityAccessRules.builder()
			.entity("Order", EntityRule.anyListener(), (actions) -> actions.action("refresh", Change.class, "total")))
			.withMessage("Filterable field 'total' of action 'refresh' of entity 'Order' is not a component of Change");
		assertThatIllegalArgumentException().isThrownBy(() -> EntityAccessRules.builder()
			.entity("Order", EntityRule.anyListener(), (actions) -> actions.action("refresh", Change.class, "lines")))
			.withMessage("Filterable field 'lines' of action 'refresh' of entity 'Order' must be a string, number or "
					+ "boolean, not List");
	}

	record Change(String status, long customer, List<String> lines) {
	}

}
