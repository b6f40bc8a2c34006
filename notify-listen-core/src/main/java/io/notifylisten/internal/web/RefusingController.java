package io.notifylisten.internal.web;

import java.util.Map;

import io.notifylisten.channel.InvalidChannelException;
import io.notifylisten.internal.security.ListenDeniedException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * What the endpoints that check a listening user answer when they refuse: a 403 for a
 * refusal ("Login required", "Not allowed to read Order 3"), a 400 for a malformed name,
 * each as a {@link JsonError}.
 */
abstract class RefusingController {

	@ExceptionHandler(ListenDeniedException.class)
	ResponseEntity<Map<String, String>> denied(ListenDeniedException ex) {
		return JsonError.of(HttpStatus.FORBIDDEN, ex.getMessage());
	}

	@ExceptionHandler(InvalidChannelException.class)
	ResponseEntity<Map<String, String>> invalid(InvalidChannelException ex) {
		return JsonError.of(HttpStatus.BAD_REQUEST, ex.getMessage());
	}

}
