package io.notifylisten.sample.broadcast;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.notifylisten.notify.Notifier;
import io.notifylisten.notify.PayloadRecords;
import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin banner: an admin posts a text, every open page shows it at once as a
 * broadcast notice ({@code Broadcast/all/banner}), and pages opened later read the latest
 * one.
 */
@RestController
class BroadcastController {

	static final int MAX_LENGTH = 200;

	private final Notifier notifier;

	private final AtomicReference<String> latest = new AtomicReference<>("");

	BroadcastController(Notifier notifier) {
		this.notifier = notifier;
	}

	@GetMapping("/api/broadcast")
	Map<String, String> latest() {
		return Map.of("text", this.latest.get());
	}

	@PostMapping("/api/broadcast")
	ResponseEntity<Map<String, String>> broadcast(@RequestBody Banner banner) {
		String text = (banner.text() != null) ? banner.text().strip() : "";
		if (text.length() > MAX_LENGTH) {
			return ResponseEntity.badRequest().body(Map.of("error", "At most " + MAX_LENGTH + " characters"));
		}
		// An empty text clears the banner on every page.
		this.latest.set(text);
		this.notifier.broadcast("Broadcast", "all", "banner", PayloadRecords.toMap(new BannerNotice(text)));
		return ResponseEntity.ok(Map.of("text", text));
	}

	/**
	 * What the admin form sends.
	 *
	 * @param text the banner text, empty to clear it
	 */
	record Banner(@Nullable String text) {

	}

}
