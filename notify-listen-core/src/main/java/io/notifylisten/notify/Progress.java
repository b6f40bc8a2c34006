package io.notifylisten.notify;

/**
 * Reports the progress of one long-running piece of work on {@code entity/id/progress},
 * ending with {@code entity/id/done} or {@code entity/id/failed}. Updates are coalesced
 * so that a tight loop cannot flood listeners: at most a configured number per second
 * reach the broker, and the latest value always does. Progress is sent at once, not after
 * the surrounding transaction commits: it is about work still under way. Payloads are
 * {@link ProgressUpdate}s.
 */
public interface Progress {

	/**
	 * Report how far the work is.
	 * @param percent 0 to 100
	 * @param text what is happening, for people
	 */
	void update(int percent, String text);

	/**
	 * Report that the work is busy without a measurable percentage.
	 * @param text what is happening, for people
	 */
	void busy(String text);

	/**
	 * Report that the work finished; sent at once, after any coalesced update.
	 * @param text the outcome, for people
	 */
	void done(String text);

	/**
	 * Report that the work failed; sent at once, after any coalesced update.
	 * @param text what went wrong, for people (never a stack trace)
	 */
	void failed(String text);

}
