/*
 * Token mode: ahead of the expiry the server gives in CONNECTED, a fresh token from getToken() is
 * sent on the same connection (the server stops deliveries without one); "Invalid token" and
 * "Token expired" reconnect with a fresh one.
 */
import type { Connection } from './connection.js';
import type { StompSocket } from './environment.js';
import type { Emitter } from './events.js';
import { Refusal, TOKEN_UNAVAILABLE } from './reasons.js';

// A refreshed token is sent at the latest this long before the old one expires.
const TOKEN_REFRESH_MARGIN = 5000;

const TOKEN_DESTINATION = '/notify-listen/token';

/** A token from the page's getToken(); a rejection or an empty answer fails the attempt. */
export async function fetchToken(getToken: () => Promise<string>, events: Emitter): Promise<string> {
	let fresh: unknown = null;
	try {
		fresh = await getToken();
	}
	catch (ex) {
		events._log('getToken failed');
	}
	if (!fresh || typeof fresh !== 'string') {
		throw new Refusal(TOKEN_UNAVAILABLE, true);
	}
	return fresh;
}

/** Sends a fresh token on the connection in use ahead of the old one's expiry. */
export class TokenRefresh {

	private _timer: unknown = null;

	constructor(private readonly _connection: Connection) {
	}

	/** Plans the next refresh from the server's `token-expires-at` (CONNECTED, or the last RECEIPT). */
	_schedule(gen: number, stomp: StompSocket, expiresAtHeader: string | undefined): void {
		const { clearTimeout, setTimeout, now } = this._connection._environment;
		clearTimeout(this._timer);
		const expiresAt = Number(expiresAtHeader);
		if (!this._connection._token || !expiresAt) {
			return;
		}
		const left = expiresAt - now();
		this._timer = setTimeout(() => this._refresh(gen, stomp, expiresAt),
			Math.max(0, Math.min(0.8 * left, left - TOKEN_REFRESH_MARGIN)));
	}

	_cancel(): void {
		this._connection._environment.clearTimeout(this._timer);
	}

	private async _refresh(gen: number, stomp: StompSocket, expiresAt: number): Promise<void> {
		const connection = this._connection;
		const getToken = connection._config.getToken;
		let fresh: string;
		try {
			fresh = await fetchToken(getToken || (() => Promise.reject()), connection._events);
		}
		catch (ex) {
			// Deliveries go on until expiry: try once more halfway there, else the server's
			// "Token expired" reconnects, and that asks getToken() again.
			const left = expiresAt - connection._environment.now();
			if (gen === connection._generation && left > 2 * TOKEN_REFRESH_MARGIN) {
				this._timer = connection._environment.setTimeout(() => this._refresh(gen, stomp, expiresAt), left / 2);
			}
			return;
		}
		if (gen !== connection._generation || !stomp.connected) {
			return;
		}
		connection._token = fresh;
		const receipt = connection._socket._receipt('token-');
		stomp.watchForReceipt(receipt, (frame) => {
			if (gen === connection._generation) {
				this._schedule(gen, stomp, frame.headers['token-expires-at']);
			}
		});
		stomp.publish({
			destination: TOKEN_DESTINATION,
			headers: { Authorization: 'Bearer ' + fresh, receipt: receipt },
			body: ''
		});
	}

}
