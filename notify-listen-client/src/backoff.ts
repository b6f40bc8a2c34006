/** When to try again after a drop: exponential backoff with full jitter. */

export const FIRST_RECONNECT_DELAY = 1000;

export const MAX_RECONNECT_DELAY = 30000;

// Never sooner than this, whatever the dice say: pages must not stampede a restarted server.
export const MIN_RECONNECT_DELAY = 250;

/**
 * The wait before reconnect attempt number `attempt` (0 for the first after a drop): a random
 * point below 1 s, 2 s, 4 s ... capped at 30 s. Full jitter spreads the pages of a restarted
 * server over the whole interval instead of sending them all back at the same instant.
 * @param attempt attempts since the last stable connection
 * @param random a number in [0, 1), Math.random in a browser
 * @returns milliseconds
 */
export function reconnectDelay(attempt: number, random: () => number): number {
	const ceiling = Math.min(MAX_RECONNECT_DELAY, FIRST_RECONNECT_DELAY * Math.pow(2, attempt));
	return Math.max(MIN_RECONNECT_DELAY, Math.round(random() * ceiling));
}
