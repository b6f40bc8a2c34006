package io.notifylisten.internal.persistence;

import io.notifylisten.notify.NotifiesChanges;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

// Without @Entity(name): named Card, as the notifier names it.
@Entity
@NotifiesChanges(payload = { "title", "position" }, parents = "board")
class Card {

	@Id
	Long id;

	String title;

	@ManyToOne(fetch = FetchType.LAZY)
	Board board;

	protected Card() {
	}

	Card(long id, String title, Board board) {
		this.id = id;
		this.title = title;
		this.board = board;
	}

	// A getter without a field: the payload may name one.
	public int getPosition() {
		return this.id.intValue() * 10;
	}

}
