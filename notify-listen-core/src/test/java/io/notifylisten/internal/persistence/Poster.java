package io.notifylisten.internal.persistence;

import io.notifylisten.notify.NotifiesChanges;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

@Entity
@NotifiesChanges(parents = "wall")
class Poster {

	@Id
	Long id;

	@ManyToOne
	Wall wall;

	protected Poster() {
	}

	Poster(long id, Wall wall) {
		this.id = id;
		this.wall = wall;
	}

}
