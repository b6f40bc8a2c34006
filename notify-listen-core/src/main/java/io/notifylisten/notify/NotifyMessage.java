package io.notifylisten.notify;

import java.time.Instant;
import java.util.Map;

import io.notifylisten.channel.ChannelName;
import org.jspecify.annotations.Nullable;

/**
 * What a listener receives: which object changed, how, when and by whom, plus an optional
 * small payload. Confidential data is never carried; a listener fetches it with its own
 * rights.
 *
 * @param entity entity name, for example {@code Order}
 * @param id entity id, always as text
 * @param action action name, for example {@code refresh}
 * @param changedAt when {@link Notifier} was called (not when the transaction committed)
 * @param notifiedBy username of the user who notified, or {@code system}
 * @param payload small map of extra values, empty when none were given
 * @param epoch the history this message belongs to; sequences restart with each epoch,
 * which is {@code null} for messages without a sequence (those addressed to one user)
 * @param sequence the message's number on its channel within the epoch, from 1; 0 when
 * unnumbered
 */
public record NotifyMessage(String entity, String id, String action, Instant changedAt, String notifiedBy,
		Map<String, Object> payload, @Nullable String epoch, long sequence) {

	/** {@link #notifiedBy()} when no user was logged in. */
	public static final String SYSTEM = "system";

	public NotifyMessage {
		payload = (payload != null) ? Map.copyOf(payload) : Map.of();
	}

	/**
	 * Create an unnumbered message.
	 * @param entity entity name
	 * @param id entity id
	 * @param action action name
	 * @param changedAt when it changed
	 * @param notifiedBy who notified
	 * @param payload extra values
	 */
	public NotifyMessage(String entity, String id, String action, Instant changedAt, String notifiedBy,
			Map<String, Object> payload) {
		this(entity, id, action, changedAt, notifiedBy, payload, null, 0);
	}

	/**
	 * Return this message numbered within a channel's history.
	 * @param epoch the history's epoch
	 * @param sequence the number
	 * @return the numbered message
	 */
	public NotifyMessage withSequence(String epoch, long sequence) {
		return new NotifyMessage(this.entity, this.id, this.action, this.changedAt, this.notifiedBy, this.payload,
				epoch, sequence);
	}

	/**
	 * Return the channel this message is about.
	 * @return the channel
	 */
	public ChannelName channel() {
		return new ChannelName(this.entity, this.id, this.action);
	}

}
