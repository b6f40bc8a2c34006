package io.notifylisten.channel;

/**
 * Thrown when a channel name or destination is malformed. Its message is safe to show a
 * client: it names the rule that was broken, never the server's internals.
 */
public class InvalidChannelException extends IllegalArgumentException {

	public InvalidChannelException(String message) {
		super(message);
	}

}
