package io.notifylisten.internal.persistence;

import io.notifylisten.notify.NotifiesChanges;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

// Tells only its parent, which tells its own in turn.
@Entity
@NotifiesChanges(created = "", updated = "", deleted = "", parents = "card")
class Task {

	@Id
	Long id;

	boolean done;

	@ManyToOne
	Card card;

	protected Task() {
	}

	Task(long id, Card card) {
		this.id = id;
		this.card = card;
	}

}
