package io.notifylisten.internal.web;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The one shape every notify-listen HTTP refusal has: a status and {@code {"error": "…"}}
 * with a short reason a page can show, never an exception or a stack trace.
 */
public final class JsonError {

	private JsonError() {
	}

	/**
	 * Build a refusal.
	 * @param status the status
	 * @param reason the reason, or {@code null} for the status's own phrase
	 * @return the response
	 */
	public static ResponseEntity<Map<String, String>> of(HttpStatus status, @Nullable String reason) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("error", (reason != null) ? reason : status.getReasonPhrase()));
	}

}
