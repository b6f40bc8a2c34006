package io.notifylisten.sample.chat;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The lobby's chat API: read the latest lines, post one.
 */
@RestController
class ChatController {

	private final ChatService chat;

	ChatController(ChatService chat) {
		this.chat = chat;
	}

	@GetMapping("/api/chat/lobby")
	List<ChatLineView> recent() {
		return this.chat.recent(ChatService.LOBBY);
	}

	@PostMapping("/api/chat/lobby")
	ResponseEntity<?> post(@RequestBody NewLine line, Authentication user) {
		String text = (line.text() != null) ? line.text().strip() : "";
		if (!StringUtils.hasText(text) || text.length() > ChatService.MAX_LENGTH) {
			return ResponseEntity.badRequest()
				.body(Map.of("error", "Say something, in at most " + ChatService.MAX_LENGTH + " characters"));
		}
		return ResponseEntity.ok(this.chat.post(ChatService.LOBBY, user.getName(), text));
	}

	/**
	 * What the chat form sends.
	 *
	 * @param text the line
	 */
	record NewLine(@Nullable String text) {

	}

}
