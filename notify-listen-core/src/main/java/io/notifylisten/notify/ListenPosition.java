package io.notifylisten.notify;

import com.fasterxml.jackson.annotation.JsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Where the notification log stood when a page read what it shows: the page hands it to
 * the browser client's {@code listen(…, { since })} and is sent every message notified
 * after it, so that no change falls between its load and its subscription. Its string
 * form, {@code epoch:sequence}, is what the page passes on (as JSON it is that string).
 *
 * @param epoch names the log: a single node's run, or the stream of several nodes
 * @param sequence the newest position this node had read in that log
 */
public record ListenPosition(String epoch, long sequence) {

	/**
	 * Read a position from its string form.
	 * @param position {@code epoch:sequence}
	 * @return the position, or {@code null} when the text is not one
	 */
	public static @Nullable ListenPosition parse(@Nullable String position) {
		int colon = (position != null) ? position.lastIndexOf(':') : -1;
		if (colon <= 0) {
			return null;
		}
		try {
			return new ListenPosition(position.substring(0, colon), Long.parseLong(position.substring(colon + 1)));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * Return the string form the browser client takes as {@code since}.
	 * @return {@code epoch:sequence}
	 */
	@JsonValue
	@Override
	public String toString() {
		return this.epoch + ":" + this.sequence;
	}

}
