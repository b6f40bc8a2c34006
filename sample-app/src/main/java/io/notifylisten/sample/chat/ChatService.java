package io.notifylisten.sample.chat;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;

import io.notifylisten.notify.Notifier;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores chat lines and pushes each one to the room's listeners as
 * {@code ChatRoom/<room>/message}.
 */
@Service
public class ChatService {

	/** The one room of the sample. */
	public static final String LOBBY = "lobby";

	static final int MAX_LENGTH = 500;

	private final ChatLineRepository lines;

	private final Notifier notifier;

	private final Clock clock = Clock.systemUTC();

	ChatService(ChatLineRepository lines, Notifier notifier) {
		this.lines = lines;
		this.notifier = notifier;
	}

	/**
	 * Return the latest lines of a room, oldest first.
	 * @param room the room
	 * @return up to 50 lines
	 */
	@Transactional(readOnly = true)
	public List<ChatLineView> recent(String room) {
		return this.lines.findTop50ByRoomOrderByIdDesc(room)
			.stream()
			.map(ChatLineView::of)
			.sorted(Comparator.comparingLong(ChatLineView::id))
			.toList();
	}

	/**
	 * Store a line and tell the room. The text rides in the payload: everyone who may
	 * listen to the room may read it, so there is nothing to load per user.
	 * @param room the room
	 * @param author who said it
	 * @param text what was said
	 * @return the stored line
	 */
	@Transactional
	public ChatLineView post(String room, String author, String text) {
		ChatLine line = this.lines.save(new ChatLine(room, author, text, this.clock.instant()));
		ChatLineView view = ChatLineView.of(line);
		// The poster's page shows the line from this request's answer; the others hear of
		// it.
		this.notifier.toOthers().notify("ChatRoom", room, "message", view);
		return view;
	}

}
