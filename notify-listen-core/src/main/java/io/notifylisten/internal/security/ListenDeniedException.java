package io.notifylisten.internal.security;

import org.springframework.security.access.AccessDeniedException;

/**
 * A STOMP frame or an authorization request was refused. The message is short and safe to
 * send to the client in an ERROR frame or a 403 body.
 */
public class ListenDeniedException extends AccessDeniedException {

	public ListenDeniedException(String message) {
		super(message);
	}

}
