/*
 * The connection's life: the state and its reason, attempts under the backoff, the settings and
 * the bearer token each attempt reads afresh, and the channels every transport subscribes.
 *
 * - Each attempt reads /rest/pusher/key afresh: the CSRF token belongs to the HTTP session, and
 *   after a server restart or a re-login the session (and so the token) is new.
 * - Token mode (configure({getToken})): each attempt asks getToken() for a bearer token, which goes
 *   in the Authorization header of every request and of CONNECT (a browser cannot set headers on
 *   the WebSocket handshake), never in a URL, and no CSRF token is needed.
 * - After a drop it reconnects with exponential backoff and full jitter (backoff.ts) so that a
 *   restarted server is not hit by every page at the same instant. The backoff resets once a
 *   connection has stayed up for 10 s.
 * - The state says why: 'reconnecting' and 'failed' carry a reason. "Login required" (the HTTP
 *   session is gone) and "Origin not allowed" are definite: state 'failed', every pending `ready`
 *   rejects with the reason, and no other transport is tried, since it would be refused the same
 *   way. The client still retries with the backoff, because logging in again in another tab, or a
 *   remember-me cookie, mends it. Every retry path goes through the one backoff.
 * - Session loss in cookie mode: the client relies on the browser's cookies only. If the
 *   application re-authenticates a request by itself (Spring Security remember-me), the next
 *   /rest/pusher/key call opens a new session with a new CSRF token and the client carries on. If
 *   it does not, the state stays 'failed' ("Login required") until the user logs in again.
 * - A hidden tab's pending backoff timer may fire late. When the tab becomes visible again, or the
 *   browser reports it is back online, the client reconnects at once instead of waiting, and a
 *   connected socket that has been silent for longer than two server heart-beats is replaced.
 */
import { reconnectDelay } from './backoff.js';
import { type Channel, type ChannelHandle, deniedEvent } from './channel.js';
import type { Environment } from './environment.js';
import { EventStreams } from './event-streams.js';
import type { Emitter } from './events.js';
import type { Settings } from './names.js';
import {
	INVALID_TOKEN, LOGIN_REQUIRED, NETWORK_ERROR, ORIGIN_NOT_ALLOWED, Refusal, TOKEN_EXPIRED, isDefinite
} from './reasons.js';
import { StompTransport } from './stomp-transport.js';
import { fetchToken } from './token.js';
import type { ClientOptions, ConnectionState, StateEvent, Transport } from './types.js';

// A connection that lasts this long is healthy: the next drop starts the backoff from the start.
const STABLE_AFTER = 10000;

// A page swapping one listen() for another should not close and reopen the socket.
const IDLE_CLOSE_DELAY = 1000;

/** The options of configure(), with their defaults filled in. */
export type Config = Required<ClientOptions>;

/** A 401, or a redirect to a login page ('manual' redirects): "not logged in", not a 200 HTML page. */
export function isLoginRefusal(response: Response): boolean {
	return response.type === 'opaqueredirect' || response.status === 401;
}

/** The JSON of an answer, `{}` where it has none. */
export async function readJson(response: Response): Promise<{ [field: string]: unknown }> {
	try {
		return await response.json();
	}
	catch (ex) {
		return {};
	}
}

export class Connection {

	_state: ConnectionState = 'idle';

	private _reason: string | undefined;

	/** The answer of /rest/pusher/key for the attempt in use. */
	_settings: Settings | null = null;

	/** The CONNECTED frame's connection-id. */
	_connectionId: string | null = null;

	/** Counts attempts: a callback of an attempt that is no longer the current one does nothing. */
	_generation = 0;

	/** Attempts since the last stable connection: the backoff's exponent. */
	_attempt = 0;

	_everConnected = false;

	_transport: Transport = 'websocket';

	/** When the server was last heard from: a socket silent for too long after sleep is replaced. */
	_lastServerActivity = 0;

	/** The bearer token of the connection in use, in token mode. */
	_token: string | null = null;

	/** The definite refusal the state 'failed' is about, until a connection succeeds. */
	_refusedFor: string | null = null;

	/** Set by disconnect(): nothing reconnects by itself until the page listens again. */
	_disconnected = false;

	/** By name: 'Order/42/refresh', 'presence-Order/42', '#notices'. */
	readonly _channels = new Map<string, Channel>();

	readonly _socket: StompTransport;

	readonly _streams: EventStreams;

	private _retryTimer: unknown = null;

	private _stableTimer: unknown = null;

	private _idleTimer: unknown = null;

	constructor(readonly _environment: Environment, readonly _config: Config, readonly _events: Emitter) {
		this._socket = new StompTransport(this);
		this._streams = new EventStreams(this);
	}

	_log(...parts: unknown[]): void {
		this._events._log(...parts);
	}

	/**
	 * Every change is told as 'state' and as the state's own event; 'reconnecting' also each time
	 * again. 'failed' and 'reconnecting' always say why.
	 */
	_setState(next: 'failed' | 'reconnecting', extra: { reason: string; attempt?: number; retryInMs?: number }): void;
	_setState(next: 'idle' | 'connecting' | 'connected', extra?: Omit<StateEvent, 'state'>): void;
	_setState(next: ConnectionState, extra?: Omit<StateEvent, 'state'>): void {
		const nextReason = extra && extra.reason;
		const changed = next !== this._state || nextReason !== this._reason;
		this._state = next;
		this._reason = nextReason;
		const detail: StateEvent = Object.assign({ state: next }, extra);
		if (nextReason === undefined) {
			delete detail.reason;
		}
		this._log('state', detail);
		// 'reconnecting' again, with the wait before the next attempt and then as the attempt starts.
		if (changed || next === 'reconnecting') {
			this._events._emit('state', detail);
			this._events._emit(next, detail);
		}
	}

	/** A request to the application: the bearer token in token mode, else the session's CSRF token on a POST. */
	_request(path: string, init: RequestInit): Promise<Response> {
		const headers: Record<string, string> = Object.assign({}, init.headers as Record<string, string>);
		const settings = this._settings;
		if (this._token) {
			headers.Authorization = 'Bearer ' + this._token;
		}
		else if (init.method === 'POST' && settings && settings.csrf) {
			headers[settings.csrf.headerName] = settings.csrf.token;
		}
		return this._environment.fetch(this._config.baseUrl + path,
			Object.assign({ credentials: this._config.credentials, redirect: 'manual' }, init, { headers: headers }));
	}

	/** A 401 means the session is gone in cookie mode, and the token was refused in token mode. */
	_loginReason(response: Response): string {
		if (!this._token) {
			return LOGIN_REQUIRED;
		}
		return /expired/i.test(String(response.headers && response.headers.get('WWW-Authenticate')))
			? TOKEN_EXPIRED : INVALID_TOKEN;
	}

	private async _fetchSettings(): Promise<Settings> {
		const response = await this._request('/rest/pusher/key',
			{ cache: 'no-store', headers: { Accept: 'application/json' } });
		if (isLoginRefusal(response)) {
			throw new Refusal(this._loginReason(response));
		}
		// The server lets a page on a refused origin read why, and only that.
		if (response.status === 403 && (await response.text()).trim() === ORIGIN_NOT_ALLOWED) {
			throw new Refusal(ORIGIN_NOT_ALLOWED);
		}
		if (!response.ok) {
			throw new Refusal('Settings unavailable (' + response.status + ')');
		}
		return response.json();
	}

	// ---- the connection's life ----

	async _connect(): Promise<void> {
		this._clearTimers();
		const gen = ++this._generation;
		if (this._state === 'idle' || this._state === 'connecting') {
			this._setState('connecting', { reason: this._reason, attempt: this._attempt });
		}
		else if (this._state !== 'failed') {
			this._setState('reconnecting', { reason: this._reason || NETWORK_ERROR, attempt: this._attempt });
		}
		try {
			const getToken = this._config.getToken;
			const fresh = getToken ? await fetchToken(getToken, this._events) : null;
			if (gen !== this._generation) {
				return;
			}
			this._token = fresh;
			const fetched = await this._fetchSettings();
			if (gen !== this._generation) {
				return;
			}
			this._settings = fetched;
			if (this._transport === 'sse' || this._config.transport === 'sse') {
				this._transport = 'sse';
				this._channels.forEach((channel) => this._streams._subscribe(gen, channel));
				return;
			}
			this._socket._open(gen, fetched);
		}
		catch (ex) {
			if (gen !== this._generation) {
				return;
			}
			this._log('connect failed', ex instanceof Error ? ex.message : ex);
			// A fetch that throws (offline, DNS, a CORS refusal) says nothing more precise.
			if (ex instanceof Refusal) {
				this._retry(ex.reason, ex.fails);
			}
			else {
				this._retry(NETWORK_ERROR);
			}
		}
	}

	/** The socket, or the first event stream, is open: connected, and the backoff restarts if it lasts. */
	_opened(): void {
		this._lastServerActivity = this._environment.now();
		this._everConnected = true;
		this._refusedFor = null;
		if (this._state !== 'connected') {
			this._setState('connected');
			this._stableTimer = this._environment.setTimeout(() => {
				this._attempt = 0;
			}, STABLE_AFTER);
		}
	}

	/**
	 * After a failed attempt or a drop: state 'failed' (with `fails`, or on a definite refusal) or
	 * 'reconnecting', with the reason, and the next attempt after the backoff.
	 */
	_retry(why: string, fails?: boolean): void {
		this._environment.clearTimeout(this._retryTimer);
		const delay = reconnectDelay(this._attempt, this._environment.random);
		this._attempt++;
		this._refusedFor = isDefinite(why) ? why : null;
		// Nothing will subscribe until this is mended: a page awaiting ready hears why now.
		this._refusePending();
		if (fails || this._refusedFor) {
			this._setState('failed', { reason: why });
		}
		else {
			this._setState('reconnecting', { reason: why, attempt: this._attempt, retryInMs: delay });
		}
		this._log('reconnecting in', delay, 'ms');
		this._retryTimer = this._environment.setTimeout(() => this._connect(), delay);
	}

	/** The connection dropped or was refused: stop what belonged to it. */
	_dropped(): void {
		this._connectionId = null;
		this._environment.clearTimeout(this._stableTimer);
		this._socket._tokens._cancel();
	}

	private _clearTimers(): void {
		const { clearTimeout } = this._environment;
		clearTimeout(this._retryTimer);
		clearTimeout(this._stableTimer);
		clearTimeout(this._idleTimer);
		this._socket._tokens._cancel();
		this._retryTimer = null;
		this._idleTimer = null;
	}

	/** Closes the socket or the event streams; nothing reconnects until the caller says so. */
	_closeConnection(): void {
		this._clearTimers();
		this._generation++;
		this._connectionId = null;
		this._channels.forEach((channel) => {
			if (channel._subscription && channel._subscription.stream) {
				channel._subscription.unsubscribe();
			}
			channel._subscription = null;
		});
		this._socket._close();
	}

	_close(): void {
		this._closeConnection();
		this._setState('idle');
	}

	/** A new listen(), presence() or onNotice(): connect, or subscribe its channels on the connection in use. */
	_ensureConnected(): void {
		this._disconnected = false;
		this._environment.clearTimeout(this._idleTimer);
		this._idleTimer = null;
		if (this._state === 'idle') {
			this._connect();
		}
		else if (this._state === 'connected' && (this._transport === 'sse' || this._socket._connected())) {
			this._channels.forEach((channel) => {
				if (!channel._subscription && !channel._signing) {
					this._subscribe(this._generation, channel);
				}
			});
		}
		else {
			this._refusePending();
		}
	}

	_subscribe(gen: number, channel: Channel): void {
		if (this._transport === 'sse') {
			this._streams._subscribe(gen, channel);
		}
		else {
			this._socket._subscribe(gen, channel);
		}
	}

	private _refusePending(): void {
		const refusedFor = this._refusedFor;
		if (refusedFor) {
			this._channels.forEach((channel) => channel._handles.forEach((handle) => handle._refused(refusedFor)));
		}
	}

	/** The tab is visible again, or the browser is back online: do not wait for a throttled timer. */
	_reconnectNowIfWaiting(): void {
		if (this._channels.size === 0 || this._disconnected) {
			return;
		}
		const settings = this._settings;
		if (this._retryTimer) {
			this._log('reconnecting now');
			this._connect();
		}
		else if (this._state === 'connected' && settings && settings.heartbeatIncoming > 0
				&& this._environment.now() - this._lastServerActivity > 2 * settings.heartbeatIncoming + 1000) {
			// Silent for more than two heart-beats, probably after sleep: replace the socket.
			this._log('socket silent, replacing it');
			this._closeConnection();
			this._setState('reconnecting', { reason: NETWORK_ERROR });
			this._connect();
		}
	}

	// ---- channels ----

	/** The channel of that name, made by `make` on first use. */
	_channel<C extends Channel>(name: string, make: (name: string) => C): C {
		let channel = this._channels.get(name);
		if (!channel) {
			channel = make(name);
			this._channels.set(name, channel);
		}
		return channel as C;
	}

	/** A handle stops: the last one on a channel unsubscribes it, and the socket closes after the last channel. */
	_release(channel: Channel, handle: ChannelHandle): void {
		channel._handles.delete(handle);
		if (channel._handles.size > 0 || this._channels.get(channel._name) !== channel) {
			return;
		}
		this._channels.delete(channel._name);
		if (channel._subscription && (channel._subscription.stream || this._socket._connected())) {
			channel._subscription.unsubscribe();
		}
		channel._subscription = null;
		if (this._channels.size === 0 && this._state !== 'idle') {
			this._environment.clearTimeout(this._idleTimer);
			this._idleTimer = this._environment.setTimeout(() => this._close(), IDLE_CLOSE_DELAY);
		}
	}

	/** The server refused the channel: told once, and never asked for again. */
	_deny(channel: Channel, why: string): void {
		if (channel._denial) {
			return;
		}
		channel._denial = why;
		channel._subscription = null;
		const detail = deniedEvent(channel, why);
		this._events._emit('denied', detail);
		channel._handles.forEach((handle) => handle._denied(detail));
	}

	/**
	 * Only a channel that was subscribed before, across a drop, can have missed messages: one
	 * subscribed for the first time has nothing to reload.
	 */
	_subscribed(channel: Channel, unrecovered: boolean): void {
		const resync = unrecovered && channel._wasSubscribed;
		channel._wasSubscribed = true;
		channel._handles.forEach((handle) => handle._ready(channel, resync));
	}

}
