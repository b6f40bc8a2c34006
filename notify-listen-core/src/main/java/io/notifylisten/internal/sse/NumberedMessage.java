package io.notifylisten.internal.sse;

import io.notifylisten.channel.ChannelName;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What an event needs of a notification: its channel and its number in the channel's
 * history.
 *
 * @param channel the channel
 * @param epoch the history's epoch, or {@code null} where the message has none
 * @param sequence the message's sequence within the epoch
 */
record NumberedMessage(ChannelName channel, @Nullable String epoch, long sequence) {

	static NumberedMessage of(JsonNode message) {
		ChannelName channel = new ChannelName(message.get("entity").asString(), message.get("id").asString(),
				message.get("action").asString());
		String epoch = message.hasNonNull("epoch") ? message.get("epoch").asString() : null;
		return new NumberedMessage(channel, epoch, message.path("sequence").asLong(0));
	}

}
