package io.notifylisten.sample.chat;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

/**
 * One line said in a chat room.
 */
@Entity
public class ChatLine {

	@Id
	@GeneratedValue
	private Long id;

	@Column(nullable = false)
	private String room;

	@Column(nullable = false)
	private String author;

	@Column(nullable = false, length = ChatService.MAX_LENGTH)
	private String text;

	@Column(nullable = false)
	private Instant postedAt;

	protected ChatLine() {
	}

	ChatLine(String room, String author, String text, Instant postedAt) {
		this.room = room;
		this.author = author;
		this.text = text;
		this.postedAt = postedAt;
	}

	public Long getId() {
		return this.id;
	}

	public String getRoom() {
		return this.room;
	}

	public String getAuthor() {
		return this.author;
	}

	public String getText() {
		return this.text;
	}

	public Instant getPostedAt() {
		return this.postedAt;
	}

}
