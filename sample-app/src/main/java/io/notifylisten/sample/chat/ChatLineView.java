package io.notifylisten.sample.chat;

import java.time.Instant;

/**
 * A chat line as pages show it, and as the payload of {@code ChatRoom/<room>/message}.
 *
 * @param id line id, which orders lines and lets a page skip one it already shows
 * @param author username of who said it
 * @param text what was said
 * @param postedAt when
 */
public record ChatLineView(long id, String author, String text, Instant postedAt) {

	static ChatLineView of(ChatLine line) {
		return new ChatLineView(line.getId(), line.getAuthor(), line.getText(), line.getPostedAt());
	}

}
