/*
 * STOMP over WebSocket: one socket per page, shared by every listen(); a channel that several
 * calls listen to is subscribed once.
 *
 * - Each channel is signed by /rest/pusher/auth for this connection's id before SUBSCRIBE. The id
 *   changes with every connection, so after a reconnect every channel is signed again. The page
 *   never holds a secret: the signature is worth one channel on one connection.
 * - A refusal from /rest/pusher/auth (403/400) marks that channel denied: it is reported once, as
 *   'denied', and skipped from then on, on this and on later connections. The server closes the
 *   whole connection when it refuses a SUBSCRIBE, so each SUBSCRIBE carries a receipt header that
 *   the ERROR frame echoes; the client marks that channel denied, reconnects at once and leaves it
 *   out, instead of looping. "Login required" and the token refusals are the exception: they are
 *   about the login, not the channel, so the channel is tried again on the next connection.
 * - Where WebSocket cannot connect (two attempts that never reached CONNECTED and got no answer
 *   from the server), the connection falls back to Server-Sent Events (event-streams.ts).
 * - Hidden tabs: browsers throttle timers in background tabs and may freeze the page, so outgoing
 *   heart-beats run in a Web Worker (stompjs' 'worker' strategy), whose timers are not throttled as
 *   hard, and the server does not drop a hidden but healthy tab. The incoming heart-beat check
 *   still runs on the page's timers: when a frozen tab wakes, it sees the gap and drops the socket,
 *   and the client reconnects and resubscribes.
 */
import { TickerStrategy } from '@stomp/stompjs';
import type { Channel } from './channel.js';
import { type Connection, isLoginRefusal, readJson } from './connection.js';
import type { IFrame, StompSocket } from './environment.js';
import { type Settings, destinationOf } from './names.js';
import { isPresence, presenceFrame } from './presence.js';
import { NETWORK_ERROR, isDefinite, isTokenRefusal } from './reasons.js';
import { accept, recovered } from './recovery.js';
import { TokenRefresh } from './token.js';
import type { NotifyMessage } from './types.js';

const CONNECT_TIMEOUT = 10000;

// WebSocket attempts that never reached CONNECTED before the client tries Server-Sent Events.
const WEBSOCKET_ATTEMPTS_BEFORE_SSE = 2;

export class StompTransport {

	readonly _tokens: TokenRefresh;

	/** The socket in use. */
	private _client: StompSocket | null = null;

	/** SUBSCRIBE receipt id -> channel name, for the socket in use. */
	private readonly _receipts = new Map<string, string>();

	private _receiptSeq = 0;

	/** Why the server is about to close the socket: the message of its ERROR frame. */
	private _closeReason: string | null = null;

	private _webSocketFailures = 0;

	constructor(private readonly _connection: Connection) {
		this._tokens = new TokenRefresh(_connection);
	}

	_connected(): boolean {
		return !!this._client && this._client.connected;
	}

	/** A receipt id for a frame: 'nl-7', 'token-8'. */
	_receipt(prefix: string): string {
		return prefix + (++this._receiptSeq);
	}

	_open(gen: number, settings: Settings): void {
		const connection = this._connection;
		const connectHeaders: Record<string, string> = {};
		if (connection._token) {
			connectHeaders.Authorization = 'Bearer ' + connection._token;
		}
		else if (settings.csrf) {
			connectHeaders[settings.csrf.headerName] = settings.csrf.token;
		}
		const url = new URL(connection._config.baseUrl + settings.endpoint, connection._environment.window.location.href);
		url.protocol = (url.protocol === 'https:') ? 'wss:' : 'ws:';
		let connected = false;
		const stomp = new connection._environment.StompClient({
			brokerURL: url.toString(),
			connectHeaders: connectHeaders,
			heartbeatIncoming: settings.heartbeatIncoming,
			heartbeatOutgoing: settings.heartbeatOutgoing,
			heartbeatStrategy: TickerStrategy.Worker,
			// Reconnects are ours: each one must re-read the settings and re-sign every channel.
			reconnectDelay: 0,
			connectionTimeout: CONNECT_TIMEOUT,
			// A socket whose heart-beats stopped is usually dead; waiting for its TCP close can take minutes.
			discardWebsocketOnCommFailure: true,
			debug: (text) => connection._log(text)
		});
		stomp.onConnect = (frame) => {
			if (gen === connection._generation) {
				connected = true;
				this._onConnected(gen, stomp, frame);
			}
		};
		stomp.onHeartbeatReceived = () => {
			connection._lastServerActivity = connection._environment.now();
		};
		stomp.onStompError = (frame) => {
			if (gen === connection._generation) {
				this._onStompError(frame, connected);
			}
		};
		stomp.onWebSocketClose = (event) => {
			if (gen === connection._generation) {
				this._onClosed(stomp, event);
			}
		};
		this._client = stomp;
		this._closeReason = null;
		stomp.activate();
	}

	/** Stops the socket in use, if any: stompjs will not reconnect by itself. */
	_close(): void {
		const stomp = this._client;
		this._client = null;
		this._receipts.clear();
		if (stomp) {
			stomp.deactivate();
		}
	}

	private _onConnected(gen: number, stomp: StompSocket, frame: IFrame): void {
		const connection = this._connection;
		connection._connectionId = frame.headers['connection-id'] || null;
		this._receipts.clear();
		connection._opened();
		this._tokens._schedule(gen, stomp, frame.headers['token-expires-at']);
		connection._channels.forEach((channel) => this._subscribe(gen, channel));
	}

	private _onStompError(frame: IFrame, connected: boolean): void {
		const connection = this._connection;
		const message = frame.headers.message || 'Refused by server';
		const receipt = frame.headers['receipt-id'];
		const name = receipt ? this._receipts.get(receipt) : undefined;
		const channel = name ? connection._channels.get(name) : undefined;
		connection._log('ERROR frame', message, receipt);
		this._closeReason = message;
		// About the login, not about the channel whose SUBSCRIBE the ERROR frame answers.
		if (channel && !isDefinite(message) && !isTokenRefusal(message)) {
			// The server closes the socket after this; reconnect without the denied channel, now.
			connection._deny(channel, message);
			connection._attempt = 0;
			return;
		}
		// A refused CONNECT (a stale CSRF token, ...) is a failure; a token refusal asks for another.
		if (isDefinite(message) || (!connected && !isTokenRefusal(message))) {
			connection._setState('failed', { reason: message });
		}
	}

	private _onClosed(stomp: StompSocket, event: CloseEvent | undefined): void {
		const connection = this._connection;
		const answered = this._closeReason !== null;
		const why = this._closeReason || (event && event.reason) || NETWORK_ERROR;
		const fails = connection._state === 'failed' && answered;
		this._client = null;
		this._closeReason = null;
		this._receipts.clear();
		connection._dropped();
		connection._channels.forEach((channel) => {
			channel._subscription = null;
		});
		// Let stompjs release its handler and heart-beat worker; it will not reconnect by itself.
		stomp.deactivate();
		if (connection._channels.size === 0) {
			connection._setState('idle');
			return;
		}
		// A network that lets HTTP through but not WebSocket: the same channels over Server-Sent Events.
		// A server that answered with an ERROR frame was reached: another transport would not help.
		if (!connection._everConnected && !answered && connection._config.transport === 'auto'
				&& ++this._webSocketFailures >= WEBSOCKET_ATTEMPTS_BEFORE_SSE) {
			connection._log('WebSocket does not connect: falling back to Server-Sent Events');
			connection._transport = 'sse';
			connection._events._emit('transport', { transport: 'sse' });
			connection._attempt = 0;
		}
		connection._retry(why, fails);
	}

	/** Signs the channel for this connection, then subscribes, asking for what was missed. */
	async _subscribe(gen: number, channel: Channel): Promise<void> {
		const connection = this._connection;
		const stomp = this._client;
		const settings = connection._settings;
		if (channel._denial || channel._subscription || channel._signing || !stomp || !settings) {
			return;
		}
		if (channel.notice) {
			// Messages addressed to this user, a role, this connection or everyone: no signature, the
			// server checks each one on delivery.
			// A receipt, so that a refusal (no listen role) is pinned on it and not retried forever.
			const noticeReceipt = this._receipt('nl-');
			this._receipts.set(noticeReceipt, channel._name);
			channel._subscription = stomp.subscribe(destinationOf(settings, channel),
				(frame) => this._deliver(channel, frame), { receipt: noticeReceipt });
			return;
		}
		channel._signing = true;
		let response: Response | null;
		try {
			response = await this._authorize(channel._name, connection._connectionId);
		}
		catch (ex) {
			response = null;
		}
		finally {
			channel._signing = false;
		}
		if (gen !== connection._generation || connection._channels.get(channel._name) !== channel) {
			return;
		}
		if (response && isLoginRefusal(response)) {
			// The login, not the channel: the channel is tried again on the next connection.
			this._drop(stomp, connection._loginReason(response));
			return;
		}
		if (!response || response.status >= 500) {
			// Not a verdict on the channel: start over with a fresh connection, after backoff.
			connection._log('auth unavailable for', channel._name);
			this._drop(stomp, response ? 'Server error (' + response.status + ')' : NETWORK_ERROR);
			return;
		}
		const body = await readJson(response);
		// The socket may have closed while the signature was on its way; the next connection signs again.
		if (gen !== connection._generation || connection._channels.get(channel._name) !== channel || !stomp.connected) {
			return;
		}
		if (!response.ok || !body.auth) {
			connection._deny(channel, (body.error as string) || ('Refused (' + response.status + ')'));
			return;
		}
		const receipt = this._receipt('nl-');
		this._receipts.set(receipt, channel._name);
		const headers: Record<string, string> = { auth: String(body.auth), receipt: receipt };
		if (isPresence(channel)) {
			// Changes wait for the list they follow: the two may cross on the way.
			channel._changes = [];
			channel._subscription = stomp.subscribe(destinationOf(settings, channel),
				(frame) => this._deliver(channel, frame), headers);
			return;
		}
		// Back after a drop with something received before, or new with the page's `since`: ask for
		// what was missed. Live messages are held until the server's recovery frame arrives, since the
		// two may cross on the way.
		const recovering = channel._lastEpoch != null;
		if (recovering) {
			headers['last-epoch'] = channel._lastEpoch as string;
			headers['last-sequence'] = String(channel._lastSequence);
			channel._held = [];
		}
		channel._recovering = recovering;
		if (channel.where) {
			headers.where = channel.where;
		}
		channel._subscription = stomp.subscribe(destinationOf(settings, channel),
			(frame) => this._deliver(channel, frame), headers);
		connection._subscribed(channel, !recovering);
	}

	private _authorize(name: string, connectionId: string | null): Promise<Response> {
		const form = new URLSearchParams();
		form.set('socket_id', connectionId || '');
		form.set('channel_name', name);
		return this._connection._request((this._connection._settings as Settings).authEndpoint, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				Accept: 'application/json'
			},
			body: form.toString()
		});
	}

	/** Closes the socket with a reason the close will report. */
	private _drop(stomp: StompSocket, why: string): void {
		this._closeReason = why;
		if (isDefinite(why)) {
			this._connection._setState('failed', { reason: why });
		}
		stomp.forceDisconnect();
	}

	private _deliver(channel: Channel, frame: IFrame): void {
		const connection = this._connection;
		connection._lastServerActivity = connection._environment.now();
		let message: unknown;
		try {
			message = JSON.parse(frame.body);
		}
		catch (ex) {
			connection._log('unreadable message on', channel._name);
			return;
		}
		const folded = frame.headers['notify-listen-folded'];
		if (folded !== undefined && message !== null && typeof message === 'object') {
			(message as NotifyMessage).folded = Number(folded);
		}
		if (isPresence(channel)) {
			presenceFrame(channel, frame.headers['notify-listen-presence'], message);
		}
		else if (frame.headers['notify-listen-recovery'] !== undefined) {
			recovered(channel, message, connection._events);
		}
		else if (channel._recovering) {
			channel._held.push(message as NotifyMessage);
		}
		else {
			accept(channel, message as NotifyMessage, connection._events);
		}
	}

}
