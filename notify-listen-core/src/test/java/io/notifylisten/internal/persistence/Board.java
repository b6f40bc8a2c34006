package io.notifylisten.internal.persistence;

import io.notifylisten.notify.NotifiesChanges;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

@Entity(name = "Board")
@NotifiesChanges(updated = "refresh", payload = "title")
class Board {

	@Id
	Long id;

	String title;

	String secret = "not in the payload";

	protected Board() {
	}

	Board(long id, String title) {
		this.id = id;
		this.title = title;
	}

}
