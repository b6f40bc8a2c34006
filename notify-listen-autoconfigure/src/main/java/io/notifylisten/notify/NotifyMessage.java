package io.notifylisten.notify;

import java.time.Instant;
import java.util.Map;

import io.notifylisten.channel.ChannelName;

/**
 * What a listener receives: which object changed, how, when and by whom, plus an optional small
 * payload. Confidential data is never carried; a listener fetches it with its own rights.
 *
 * @param entity entity name, for example {@code Order}
 * @param id entity id, always as text
 * @param action action name, for example {@code refresh}
 * @param changedAt when {@link Notifier} was called (not when the transaction committed)
 * @param notifiedBy username of the user who notified, or {@code system}
 * @param payload small map of extra values, empty when none were given
 */
public record NotifyMessage(String entity, String id, String action, Instant changedAt, String notifiedBy,
		Map<String, Object> payload) {

	/** {@link #notifiedBy()} when no user was logged in. */
	public static final String SYSTEM = "system";

	public NotifyMessage {
		payload = (payload != null) ? Map.copyOf(payload) : Map.of();
	}

	/**
	 * Return the channel this message is about.
	 * @return the channel
	 */
	public ChannelName channel() {
		return new ChannelName(this.entity, this.id, this.action);
	}

}
