/** Why the state is 'failed' or 'reconnecting': the reasons the client gives itself. */

export const LOGIN_REQUIRED = 'Login required';
export const ORIGIN_NOT_ALLOWED = 'Origin not allowed';
export const NETWORK_ERROR = 'Network error';
export const INVALID_TOKEN = 'Invalid token';
export const TOKEN_EXPIRED = 'Token expired';
export const TOKEN_UNAVAILABLE = 'Token unavailable';

/** Refusals that another attempt with the same credentials cannot mend: no fallback, ready rejects. */
export function isDefinite(reason: string): boolean {
	return reason === LOGIN_REQUIRED || reason === ORIGIN_NOT_ALLOWED;
}

/** The server wants another token, not another transport: reconnect with a fresh one from getToken(). */
export function isTokenRefusal(reason: string): boolean {
	return reason === INVALID_TOKEN || reason === TOKEN_EXPIRED;
}

/** A failed step of a connection attempt, with the reason the state will show. */
export class Refusal extends Error {

	/**
	 * @param reason what the state will show
	 * @param fails whether the state is 'failed' rather than 'reconnecting'
	 */
	constructor(readonly reason: string, readonly fails = false) {
		super(reason);
	}

}
