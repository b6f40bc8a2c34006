package io.notifylisten.internal.security;

import java.io.Serializable;

import io.notifylisten.security.EntityAccessRules;
import io.notifylisten.security.EntityAccessRules.EntityRule;
import org.junit.jupiter.api.Test;

import org.springframework.security.access.PermissionEvaluator;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DefaultEntityAccessPolicyTests {

	private final Authentication alice = new TestingAuthenticationToken("alice", "n/a", "NOTIFY_LISTEN_USER");

	private final Authentication bob = new TestingAuthenticationToken("bob", "n/a", "NOTIFY_LISTEN_USER");

	private final EntityAccessRules rules = EntityAccessRules.builder()
		.entity("Order", (user, id) -> !(user.getName().equals("bob") && id.equals("3")))
		.entity("Ticker", EntityRule.anyListener())
		.build();

	@Test
	void appliesTheEntitysRule() {
		DefaultEntityAccessPolicy policy = new DefaultEntityAccessPolicy(this.rules, null);
		assertThat(policy.canRead(this.alice, "Order", "3")).isTrue();
		assertThat(policy.canRead(this.bob, "Order", "3")).isFalse();
		assertThat(policy.canRead(this.bob, "Order", "4")).isTrue();
		assertThat(policy.canRead(this.bob, "Ticker", "EURUSD")).isTrue();
	}

	@Test
	void deniesEntitiesWithoutRuleWhenThereIsNoPermissionEvaluator() {
		DefaultEntityAccessPolicy policy = new DefaultEntityAccessPolicy(this.rules, null);
		assertThat(policy.canRead(this.alice, "Invoice", "1")).isFalse();
		assertThat(policy.covers("Invoice")).isFalse();
		assertThat(policy.covers("Order")).isTrue();
	}

	@Test
	void asksThePermissionEvaluatorForReadOnEntitiesWithoutRule() {
		PermissionEvaluator evaluator = new PermissionEvaluator() {

			@Override
			public boolean hasPermission(Authentication authentication, Object target, Object permission) {
				return false;
			}

			@Override
			public boolean hasPermission(Authentication authentication, Serializable targetId, String targetType,
					Object permission) {
				return authentication.getName().equals("alice") && targetType.equals("Invoice") && targetId.equals("1")
						&& permission.equals("read");
			}

		};
		DefaultEntityAccessPolicy policy = new DefaultEntityAccessPolicy(this.rules, evaluator);
		assertThat(policy.canRead(this.alice, "Invoice", "1")).isTrue();
		assertThat(policy.canRead(this.bob, "Invoice", "1")).isFalse();
		assertThat(policy.canRead(this.bob, "Order", "4")).as("a declared rule wins over the evaluator").isTrue();
		assertThat(policy.covers("Invoice")).isTrue();
	}

	@Test
	void refusesTwoRulesForOneEntityAndInvalidNames() {
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> this.rules.and(EntityAccessRules.builder().entity("Order", EntityRule.anyListener()).build()))
			.withMessage("Entity 'Order' already has a rule");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> EntityAccessRules.builder().entity("Or.der", EntityRule.anyListener()));
	}

}
