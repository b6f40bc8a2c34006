package io.notifylisten.internal.sse;

import org.jspecify.annotations.Nullable;

/**
 * A stream's position as its events' ids carry it and a browser sends it back in
 * {@code Last-Event-ID}: {@code epoch:s1,s2,…}, one sequence per channel in the order of
 * the URL. An id that does not fit the stream's channels counts as none: the stream
 * starts afresh.
 *
 * @param epoch the epoch of the sequences, or {@code null} for none
 * @param sequences the last sequence received per channel
 */
record LastEventId(@Nullable String epoch, long[] sequences) {

	/**
	 * The epoch of an id sent before the stream had one; it matches no history's epoch.
	 */
	private static final String NO_EPOCH = "-";

	static LastEventId parse(@Nullable String lastEventId, int channels) {
		long[] sequences = new long[channels];
		int colon = (lastEventId != null) ? lastEventId.indexOf(':') : -1;
		if (lastEventId == null || colon < 0) {
			return new LastEventId(null, sequences);
		}
		String[] parts = lastEventId.substring(colon + 1).split(",", -1);
		if (parts.length != channels) {
			return new LastEventId(null, sequences);
		}
		try {
			for (int i = 0; i < channels; i++) {
				sequences[i] = Long.parseLong(parts[i]);
			}
		}
		catch (NumberFormatException ex) {
			return new LastEventId(null, new long[channels]);
		}
		return new LastEventId(lastEventId.substring(0, colon), sequences);
	}

	static String format(@Nullable String epoch, long[] sequences) {
		StringBuilder id = new StringBuilder((epoch != null) ? epoch : NO_EPOCH).append(':');
		for (int i = 0; i < sequences.length; i++) {
			id.append((i > 0) ? "," : "").append(sequences[i]);
		}
		return id.toString();
	}

}
