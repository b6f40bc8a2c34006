package io.notifylisten.notify;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class EntityReferenceTests {

	@Test
	void readsJpaEntityNameAndId() {
		assertThat(EntityReference.of(new Invoice(42L))).isEqualTo(new EntityReference("Bill", 42L));
	}

	@Test
	void fallsBackToSimpleClassName() {
		assertThat(EntityReference.of(new Customer("c-1"))).isEqualTo(new EntityReference("Customer", "c-1"));
	}

	@Test
	void refusesObjectsWithoutIdOrNotYetPersisted() {
		assertThatIllegalArgumentException().isThrownBy(() -> EntityReference.of("not an entity"))
			.withMessageContaining("has no @Id");
		assertThatIllegalArgumentException().isThrownBy(() -> EntityReference.of(new Invoice(null)))
			.withMessageContaining("notify after it is persisted");
	}

	@Entity(name = "Bill")
	static class Invoice {

		@Id
		private Long id;

		Invoice(Long id) {
			this.id = id;
		}

		public Long getId() {
			return this.id;
		}

	}

	@Entity
	static class Customer {

		@Id
		private String code;

		Customer(String code) {
			this.code = code;
		}

	}

}
