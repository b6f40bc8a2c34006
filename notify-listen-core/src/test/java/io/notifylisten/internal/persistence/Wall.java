package io.notifylisten.internal.persistence;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

// Declares nothing, yet its children tell it.
@Entity
class Wall {

	@Id
	Long id;

	protected Wall() {
	}

	Wall(long id) {
		this.id = id;
	}

}
