/*
 * The notify-listen client: one per page, shared by every listen(), presence() and onNotice().
 *
 * How it talks to the server, and why:
 * - One WebSocket per page, shared by every listen() call; a channel that several calls listen to
 *   is subscribed once. The socket closes a second after the last listener stops.
 * - Each connection attempt reads /rest/pusher/key afresh: the CSRF token belongs to the HTTP
 *   session, and after a server restart or a re-login the session (and so the token) is new.
 * - Token mode (configure({getToken})): each attempt asks getToken() for a bearer token, which goes
 *   in the Authorization header of every request and of CONNECT (a browser cannot set headers on
 *   the WebSocket handshake), never in a URL, and no CSRF token is needed. Ahead of the expiry the
 *   server gives in CONNECTED, a fresh token is sent on the same connection; "Invalid token" and
 *   "Token expired" reconnect with a fresh one.
 * - Each channel is signed by /rest/pusher/auth for this connection's id before SUBSCRIBE. The id
 *   changes with every connection, so after a reconnect every channel is signed again. The page
 *   never holds a secret: the signature is worth one channel on one connection.
 * - A refusal from /rest/pusher/auth (403/400) marks that channel denied: it is reported once, as
 *   'denied', and skipped from then on, on this and on later connections. The server closes the
 *   whole connection when it refuses a SUBSCRIBE, so each SUBSCRIBE carries a receipt header that
 *   the ERROR frame echoes; the client marks that channel denied, reconnects at once and leaves it
 *   out, instead of looping. "Login required" and the token refusals are the exception: they are
 *   about the login, not the channel, so the channel is tried again on the next connection.
 * - After a drop it reconnects with exponential backoff and full jitter (backoff.js) so that a
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
 *
 * Transport: STOMP over WebSocket. Where WebSocket cannot connect (two attempts that never reached
 * CONNECTED and got no answer from the server), the client falls back by itself to Server-Sent
 * Events, one streaming fetch per channel, with the same checks on the server; notices and
 * presence need WebSocket.
 *
 * Hidden tabs: browsers throttle timers in background tabs (Chrome runs them at most once a
 * minute after a few minutes hidden) and may freeze the page. So:
 * - Outgoing heart-beats run in a Web Worker (stompjs' 'worker' strategy), whose timers are not
 *   throttled as hard, so the server does not drop a hidden but healthy tab.
 * - The incoming heart-beat check still runs on the page's timers; when a frozen tab wakes, it sees
 *   the gap and drops the socket, and the client reconnects and resubscribes.
 * - A pending backoff timer may fire late in a hidden tab. When the tab becomes visible again, or
 *   the browser reports it is back online, the client reconnects at once instead of waiting, and a
 *   connected socket that has been silent for longer than two server heart-beats is replaced.
 *
 * Recovery: every message carries its channel's epoch and sequence. When the client resubscribes
 * a channel on which it had received something, it sends last-epoch and last-sequence; the server
 * answers with one recovery frame holding the messages missed meanwhile, which are delivered in
 * order before any live message (live ones are held until then, and duplicates are dropped by
 * sequence). If the server no longer has them (too many, too old, or a single node's restart), the
 * recovery frame says so and 'resubscribed' tells the page to reload what it shows; so it does for
 * a channel on which nothing had been received yet. A channel subscribed for the first time (a
 * new listen(), even on a new connection) missed nothing and gets no 'resubscribed'.
 *
 * Presence: a user is one member however many tabs they have open. After a reconnect 'here' is
 * called again with the list as it is then, rather than a string of joins and leaves.
 *
 * The client stops (DISCONNECT, socket closed) on 'pagehide', which also keeps the page eligible
 * for the back/forward cache; if the page comes back from that cache it reconnects. disconnect()
 * (a log out) stops it until the page listens again, keeping its handles, as pusher-js and
 * centrifuge keep their subscriptions.
 *
 * Everything the client needs from the browser comes in through `environment`, so that the
 * unit tests can run it under Node with a fake server, fake timers and a fake STOMP client.
 */
import { reconnectDelay } from './backoff.js';
import { checkObject, destinationOf, isAction } from './names.js';

// A connection that lasts this long is healthy: the next drop starts the backoff from the start.
const STABLE_AFTER = 10000;

// A page swapping one listen() for another should not close and reopen the socket.
const IDLE_CLOSE_DELAY = 1000;

const CONNECT_TIMEOUT = 10000;

// WebSocket attempts that never reached CONNECTED before the client tries Server-Sent Events.
const WEBSOCKET_ATTEMPTS_BEFORE_SSE = 2;

// A refreshed token is sent at the latest this long before the old one expires.
const TOKEN_REFRESH_MARGIN = 5000;

const TOKEN_DESTINATION = '/notify-listen/token';

const LOGIN_REQUIRED = 'Login required';
const ORIGIN_NOT_ALLOWED = 'Origin not allowed';
const NETWORK_ERROR = 'Network error';
const INVALID_TOKEN = 'Invalid token';
const TOKEN_EXPIRED = 'Token expired';
const TOKEN_UNAVAILABLE = 'Token unavailable';

// Refusals that another attempt with the same credentials cannot mend: no fallback, ready rejects.
const DEFINITE = [LOGIN_REQUIRED, ORIGIN_NOT_ALLOWED];

// The server wants another token, not another transport: reconnect with a fresh one from getToken().
const TOKEN_REFUSALS = [INVALID_TOKEN, TOKEN_EXPIRED];

/**
 * Makes a client.
 * @param {Object} environment window, document, fetch, StompClient (stompjs' Client),
 *   CustomEvent, setTimeout, clearTimeout, random, now, console and the baseUrl
 * @returns {Object} the API that window.NotifyListen and the ES module expose
 */
export function createClient(environment) {
	const { window, document, StompClient, console } = environment;
	const fetch = environment.fetch;
	const setTimeout = environment.setTimeout;
	const clearTimeout = environment.clearTimeout;

	const config = {
		baseUrl: environment.baseUrl || window.location.origin,
		debug: false,
		// 'auto' falls back to Server-Sent Events when WebSocket cannot connect; 'websocket' or 'sse'
		// use only that one.
		transport: 'auto',
		// The session cookie goes with requests to the page's own origin only; a page served from
		// another origin than the application (an SPA) sets 'include', and the application lists
		// the page's origin in notify-listen.allowed-origins.
		credentials: 'same-origin',
		// Token mode: a function returning a Promise of a bearer token, asked before each connection
		// and ahead of the token's expiry.
		getToken: null
	};

	const listeners = {};

	/** channel name ('Order/42/refresh') -> channel state */
	const channels = new Map();

	/** SUBSCRIBE receipt id -> channel name, for the connection in use */
	const receipts = new Map();

	let state = 'idle';
	let reason;
	let client = null;
	let settings = null;
	let connectionId = null;
	let generation = 0;
	let attempt = 0;
	let everConnected = false;
	let transport = 'websocket';
	let webSocketFailures = 0;
	let retryTimer = null;
	let stableTimer = null;
	let idleTimer = null;
	let refreshTimer = null;
	let receiptSeq = 0;
	let lastServerActivity = 0;
	// The bearer token of the connection in use, in token mode.
	let token = null;
	// Why the server is about to close the socket: the message of its ERROR frame.
	let closeReason = null;
	// The definite refusal the state 'failed' is about, until a connection succeeds.
	let refusedFor = null;
	// Set by disconnect(): nothing reconnects by itself until the page listens again.
	let disconnected = false;

	function log(...parts) {
		if (config.debug && console) {
			// stompjs' frames hold the Authorization header: the token must not reach the console.
			console.debug('[notify-listen]', ...parts.map((part) => (typeof part === 'string')
				? part.replace(/(authorization:\s*bearer\s+)\S+/gi, '$1[hidden]') : part));
		}
	}

	function emit(event, detail) {
		const fns = listeners[event];
		if (fns) {
			fns.slice().forEach((fn) => safely(fn, detail));
		}
		document.dispatchEvent(new environment.CustomEvent('notify-listen:' + event, { detail: detail }));
	}

	function safely(fn, argument) {
		try {
			fn(argument);
		}
		catch (ex) {
			// One broken page handler must not keep the others, or the client, from running.
			if (console) {
				console.error('[notify-listen] handler failed', ex);
			}
		}
	}

	function setState(next, extra) {
		const nextReason = extra && extra.reason;
		const changed = next !== state || nextReason !== reason;
		state = next;
		reason = nextReason;
		const detail = Object.assign({ state: next }, extra);
		if (nextReason === undefined) {
			delete detail.reason;
		}
		log('state', detail);
		// 'reconnecting' again, with the wait before the next attempt and then as the attempt starts.
		if (changed || next === 'reconnecting') {
			emit('state', detail);
			emit(next, detail);
		}
	}

	async function readJson(response) {
		try {
			return await response.json();
		}
		catch (ex) {
			return {};
		}
	}

	function problem(why, fails) {
		const error = new Error(why);
		error.reason = why;
		error.fails = fails;
		return error;
	}

	function isLoginRefusal(response) {
		// 'manual' redirects: a login redirect must read as "not logged in", not as a 200 HTML page.
		return response.type === 'opaqueredirect' || response.status === 401;
	}

	// A 401 means the session is gone in cookie mode, and the token was refused in token mode.
	function loginReason(response) {
		if (!token) {
			return LOGIN_REQUIRED;
		}
		return /expired/i.test(response.headers && response.headers.get('WWW-Authenticate'))
			? TOKEN_EXPIRED : INVALID_TOKEN;
	}

	/** A request to the application: the bearer token in token mode, else the session's CSRF token on a POST. */
	function request(path, init) {
		const headers = Object.assign({}, init.headers);
		if (token) {
			headers.Authorization = 'Bearer ' + token;
		}
		else if (init.method === 'POST' && settings && settings.csrf) {
			headers[settings.csrf.headerName] = settings.csrf.token;
		}
		return fetch(config.baseUrl + path, Object.assign({ credentials: config.credentials, redirect: 'manual' },
			init, { headers: headers }));
	}

	async function fetchSettings() {
		const response = await request('/rest/pusher/key', { cache: 'no-store', headers: { Accept: 'application/json' } });
		if (isLoginRefusal(response)) {
			throw problem(loginReason(response));
		}
		// The server lets a page on a refused origin read why, and only that.
		if (response.status === 403 && (await response.text()).trim() === ORIGIN_NOT_ALLOWED) {
			throw problem(ORIGIN_NOT_ALLOWED);
		}
		if (!response.ok) {
			throw problem('Settings unavailable (' + response.status + ')');
		}
		return response.json();
	}

	async function fetchToken() {
		let fresh = null;
		try {
			fresh = await config.getToken();
		}
		catch (ex) {
			log('getToken failed');
		}
		if (!fresh || typeof fresh !== 'string') {
			throw problem(TOKEN_UNAVAILABLE, true);
		}
		return fresh;
	}

	function webSocketUrl(endpoint) {
		const url = new URL(config.baseUrl + endpoint, window.location.href);
		url.protocol = (url.protocol === 'https:') ? 'wss:' : 'ws:';
		return url.toString();
	}

	// ---- connection lifecycle ----

	async function connect() {
		clearTimers();
		const gen = ++generation;
		if (state !== 'failed') {
			setState((state === 'idle' || state === 'connecting') ? 'connecting' : 'reconnecting',
				{ reason: reason, attempt: attempt });
		}
		try {
			const fresh = config.getToken ? await fetchToken() : null;
			if (gen !== generation) {
				return;
			}
			token = fresh;
			const fetched = await fetchSettings();
			if (gen !== generation) {
				return;
			}
			settings = fetched;
			if (transport === 'sse' || config.transport === 'sse') {
				transport = 'sse';
				channels.forEach((channel) => subscribe(gen, null, channel));
				return;
			}
			openSocket(gen);
		}
		catch (ex) {
			if (gen !== generation) {
				return;
			}
			log('connect failed', ex.message);
			// A fetch that throws (offline, DNS, a CORS refusal) says nothing more precise.
			retry(ex.reason || NETWORK_ERROR, ex.fails);
		}
	}

	function openSocket(gen) {
		const connectHeaders = {};
		if (token) {
			connectHeaders.Authorization = 'Bearer ' + token;
		}
		else if (settings.csrf) {
			connectHeaders[settings.csrf.headerName] = settings.csrf.token;
		}
		let connected = false;
		const stomp = new StompClient({
			brokerURL: webSocketUrl(settings.endpoint),
			connectHeaders: connectHeaders,
			heartbeatIncoming: settings.heartbeatIncoming,
			heartbeatOutgoing: settings.heartbeatOutgoing,
			heartbeatStrategy: 'worker',
			// Reconnects are ours: each one must re-read the settings and re-sign every channel.
			reconnectDelay: 0,
			connectionTimeout: CONNECT_TIMEOUT,
			// A socket whose heart-beats stopped is usually dead; waiting for its TCP close can take minutes.
			discardWebsocketOnCommFailure: true,
			debug: (text) => log(text)
		});
		stomp.onConnect = (frame) => {
			if (gen !== generation) {
				return;
			}
			connected = true;
			onConnected(gen, stomp, frame);
		};
		stomp.onHeartbeatReceived = () => {
			lastServerActivity = environment.now();
		};
		stomp.onStompError = (frame) => {
			if (gen !== generation) {
				return;
			}
			onStompError(frame, connected);
		};
		stomp.onWebSocketClose = (event) => {
			if (gen !== generation) {
				return;
			}
			onClosed(stomp, event);
		};
		client = stomp;
		closeReason = null;
		stomp.activate();
	}

	function onConnected(gen, stomp, frame) {
		connectionId = frame.headers['connection-id'] || null;
		lastServerActivity = environment.now();
		receipts.clear();
		everConnected = true;
		refusedFor = null;
		setState('connected');
		stableTimer = setTimeout(() => {
			attempt = 0;
		}, STABLE_AFTER);
		scheduleTokenRefresh(gen, stomp, frame.headers['token-expires-at']);
		channels.forEach((channel) => subscribe(gen, stomp, channel));
	}

	// Ahead of expiry the same connection gets a fresh token; the server stops deliveries without one.
	function scheduleTokenRefresh(gen, stomp, expiresAtHeader) {
		clearTimeout(refreshTimer);
		const expiresAt = Number(expiresAtHeader);
		if (!token || !expiresAt) {
			return;
		}
		const left = expiresAt - environment.now();
		refreshTimer = setTimeout(() => refreshToken(gen, stomp, expiresAt),
			Math.max(0, Math.min(0.8 * left, left - TOKEN_REFRESH_MARGIN)));
	}

	async function refreshToken(gen, stomp, expiresAt) {
		let fresh = null;
		try {
			fresh = await fetchToken();
		}
		catch (ex) {
			// Deliveries go on until expiry: try once more halfway there, else the server's
			// "Token expired" reconnects, and that asks getToken() again.
			const left = expiresAt - environment.now();
			if (gen === generation && left > 2 * TOKEN_REFRESH_MARGIN) {
				refreshTimer = setTimeout(() => refreshToken(gen, stomp, expiresAt), left / 2);
			}
			return;
		}
		if (gen !== generation || !stomp.connected) {
			return;
		}
		token = fresh;
		const receipt = 'token-' + (++receiptSeq);
		stomp.watchForReceipt(receipt, (frame) => {
			if (gen === generation) {
				scheduleTokenRefresh(gen, stomp, frame.headers['token-expires-at']);
			}
		});
		stomp.publish({
			destination: TOKEN_DESTINATION,
			headers: { Authorization: 'Bearer ' + fresh, receipt: receipt },
			body: ''
		});
	}

	function onStompError(frame, connected) {
		const message = frame.headers.message || 'Refused by server';
		const receipt = frame.headers['receipt-id'];
		const name = receipt ? receipts.get(receipt) : null;
		log('ERROR frame', message, receipt);
		closeReason = message;
		if (name && channels.has(name) && !isSessionReason(message)) {
			// The server closes the socket after this; reconnect without the denied channel, now.
			deny(channels.get(name), message);
			attempt = 0;
			return;
		}
		// A refused CONNECT (a stale CSRF token, ...) is a failure; a token refusal asks for another.
		if (DEFINITE.includes(message) || (!connected && !TOKEN_REFUSALS.includes(message))) {
			setState('failed', { reason: message });
		}
	}

	// About the login, not about the channel whose SUBSCRIBE the ERROR frame answers.
	function isSessionReason(message) {
		return DEFINITE.includes(message) || TOKEN_REFUSALS.includes(message);
	}

	function onClosed(stomp, event) {
		const answered = closeReason !== null;
		const why = closeReason || (event && event.reason) || NETWORK_ERROR;
		const fails = state === 'failed' && answered;
		client = null;
		closeReason = null;
		connectionId = null;
		receipts.clear();
		channels.forEach((channel) => {
			channel.subscription = null;
		});
		clearTimeout(stableTimer);
		clearTimeout(refreshTimer);
		// Let stompjs release its handler and heart-beat worker; it will not reconnect by itself.
		stomp.deactivate();
		if (channels.size === 0) {
			setState('idle');
			return;
		}
		// A network that lets HTTP through but not WebSocket: the same channels over Server-Sent Events.
		// A server that answered with an ERROR frame was reached: another transport would not help.
		if (!everConnected && !answered && config.transport === 'auto'
				&& ++webSocketFailures >= WEBSOCKET_ATTEMPTS_BEFORE_SSE) {
			log('WebSocket does not connect: falling back to Server-Sent Events');
			transport = 'sse';
			emit('transport', { transport: transport });
			attempt = 0;
		}
		retry(why, fails);
	}

	/**
	 * After a failed attempt or a drop: state 'failed' (with `fails`, or on a definite refusal) or
	 * 'reconnecting', with the reason, and the next attempt after the backoff.
	 */
	function retry(why, fails) {
		clearTimeout(retryTimer);
		const delay = reconnectDelay(attempt, environment.random);
		attempt++;
		refusedFor = DEFINITE.includes(why) ? why : null;
		// Nothing will subscribe until this is mended: a page awaiting ready hears why now.
		refusePending();
		if (fails || refusedFor) {
			setState('failed', { reason: why });
		}
		else {
			setState('reconnecting', { reason: why, attempt: attempt, retryInMs: delay });
		}
		log('reconnecting in', delay, 'ms');
		retryTimer = setTimeout(connect, delay);
	}

	function clearTimers() {
		clearTimeout(retryTimer);
		clearTimeout(stableTimer);
		clearTimeout(idleTimer);
		clearTimeout(refreshTimer);
		retryTimer = null;
		idleTimer = null;
	}

	/** Closes the socket or the event streams; nothing reconnects until the caller says so. */
	function closeConnection() {
		clearTimers();
		generation++;
		const stomp = client;
		client = null;
		connectionId = null;
		receipts.clear();
		channels.forEach((channel) => {
			if (channel.subscription && channel.subscription.stream) {
				channel.subscription.unsubscribe();
			}
			channel.subscription = null;
		});
		if (stomp) {
			stomp.deactivate();
		}
	}

	function close() {
		closeConnection();
		setState('idle');
	}

	function ensureConnected() {
		disconnected = false;
		clearTimeout(idleTimer);
		idleTimer = null;
		if (state === 'idle') {
			connect();
		}
		else if (state === 'connected' && (transport === 'sse' || (client && client.connected))) {
			channels.forEach((channel) => {
				if (!channel.subscription && !channel.signing) {
					subscribe(generation, client, channel);
				}
			});
		}
		else {
			refusePending();
		}
	}

	function refusePending() {
		if (refusedFor) {
			channels.forEach((channel) => channel.handles.forEach((handle) => handle.rejectReady
				&& handle.rejectReady(new Error(refusedFor))));
		}
	}

	function reconnectNowIfWaiting() {
		if (channels.size === 0 || disconnected) {
			return;
		}
		if (retryTimer) {
			log('reconnecting now');
			connect();
		}
		else if (state === 'connected' && settings && settings.heartbeatIncoming > 0
				&& environment.now() - lastServerActivity > 2 * settings.heartbeatIncoming + 1000) {
			// Silent for more than two heart-beats, probably after sleep: replace the socket.
			log('socket silent, replacing it');
			closeConnection();
			setState('reconnecting', { reason: NETWORK_ERROR });
			connect();
		}
	}

	// ---- channels ----

	async function subscribe(gen, stomp, channel) {
		if (channel.denied || channel.subscription || channel.signing) {
			return;
		}
		if (transport === 'sse') {
			subscribeStream(gen, channel);
			return;
		}
		if (channel.notice) {
			// Messages addressed to this user, a role, this connection or everyone: no signature, the
			// server checks each one on delivery.
			// A receipt, so that a refusal (no listen role) is pinned on it and not retried forever.
			const noticeReceipt = 'nl-' + (++receiptSeq);
			receipts.set(noticeReceipt, channel.name);
			channel.subscription = stomp.subscribe(destinationOf(settings, channel),
				(frame) => deliver(channel, frame), { receipt: noticeReceipt });
			return;
		}
		channel.signing = true;
		let response;
		try {
			response = await authorize(channel.name);
		}
		catch (ex) {
			response = null;
		}
		finally {
			channel.signing = false;
		}
		if (gen !== generation || channels.get(channel.name) !== channel) {
			return;
		}
		if (response && isLoginRefusal(response)) {
			// The login, not the channel: the channel is tried again on the next connection.
			dropConnection(stomp, loginReason(response));
			return;
		}
		if (!response || response.status >= 500) {
			// Not a verdict on the channel: start over with a fresh connection, after backoff.
			log('auth unavailable for', channel.name);
			dropConnection(stomp, response ? 'Server error (' + response.status + ')' : NETWORK_ERROR);
			return;
		}
		const body = await readJson(response);
		// The socket may have closed while the signature was on its way; the next connection signs again.
		if (gen !== generation || channels.get(channel.name) !== channel || !stomp.connected) {
			return;
		}
		if (!response.ok || !body.auth) {
			deny(channel, body.error || ('Refused (' + response.status + ')'));
			return;
		}
		const receipt = 'nl-' + (++receiptSeq);
		receipts.set(receipt, channel.name);
		const headers = { auth: body.auth, receipt: receipt };
		if (channel.presence) {
			// Changes wait for the list they follow: the two may cross on the way.
			channel.held = [];
			channel.subscription = stomp.subscribe(destinationOf(settings, channel),
				(frame) => deliver(channel, frame), headers);
			return;
		}
		// Back after a drop with something received before: ask for what was missed. Live messages
		// are held until the server's recovery frame arrives, since the two may cross on the way.
		const recovering = channel.lastSequence > 0;
		if (recovering) {
			headers['last-epoch'] = channel.lastEpoch;
			headers['last-sequence'] = String(channel.lastSequence);
			channel.held = [];
		}
		channel.recovering = recovering;
		channel.subscription = stomp.subscribe(destinationOf(settings, channel),
			(frame) => deliver(channel, frame), headers);
		subscribed(channel, !recovering);
	}

	// Only a channel that was subscribed before, across a drop, can have missed messages: one
	// subscribed for the first time has nothing to reload.
	function subscribed(channel, unrecovered) {
		const resync = unrecovered && channel.wasSubscribed;
		channel.wasSubscribed = true;
		channel.handles.forEach((handle) => handle.channelReady(channel, resync));
	}

	function dropConnection(stomp, why) {
		closeReason = why;
		if (DEFINITE.includes(why)) {
			setState('failed', { reason: why });
		}
		stomp.forceDisconnect();
	}

	// One fetch per channel, the event stream read as it arrives, so that it can carry the bearer
	// token and its failures go through the same backoff as the socket's: the server checks login,
	// role and access as for SUBSCRIBE, names events by action, and resumes from Last-Event-ID.
	// Notices and presence need WebSocket.
	async function subscribeStream(gen, channel) {
		if (channel.notice || channel.presence) {
			return;
		}
		const abort = new AbortController();
		const subscription = { stream: true, unsubscribe: () => abort.abort() };
		channel.subscription = subscription;
		const current = () => gen === generation && channel.subscription === subscription;
		const headers = { Accept: 'text/event-stream' };
		if (channel.lastEventId) {
			headers['Last-Event-ID'] = channel.lastEventId;
		}
		let response;
		try {
			response = await request('/notify-listen/sse/' + encodeURIComponent(channel.entity) + '/'
				+ encodeURIComponent(channel.id) + '?events=' + encodeURIComponent(channel.action),
			{ cache: 'no-store', headers: headers, signal: abort.signal });
			if (!current()) {
				return;
			}
			if (isLoginRefusal(response)) {
				streamEnded(gen, loginReason(response));
				return;
			}
			if (response.status === 400 || response.status === 403) {
				const body = await readJson(response);
				channel.subscription = null;
				deny(channel, body.error || ('Refused (' + response.status + ')'));
				return;
			}
			if (!response.ok) {
				streamEnded(gen, 'Server error (' + response.status + ')');
				return;
			}
			streamOpened(channel);
			await readEvents(response.body.getReader(), channel, current);
		}
		catch (ex) {
			// Aborted by the client, or the network: the latter is handled below.
		}
		if (current()) {
			streamEnded(gen, NETWORK_ERROR);
		}
	}

	function streamOpened(channel) {
		lastServerActivity = environment.now();
		everConnected = true;
		refusedFor = null;
		if (state !== 'connected') {
			setState('connected');
			stableTimer = setTimeout(() => {
				attempt = 0;
			}, STABLE_AFTER);
		}
		// With Last-Event-ID the server replays what was missed, or sends 'reload' when it cannot.
		subscribed(channel, !channel.lastEventId);
	}

	// One stream that ends takes the others with it: they start over together, after the backoff.
	function streamEnded(gen, why) {
		if (gen === generation) {
			closeConnection();
			retry(why);
		}
	}

	async function readEvents(reader, channel, current) {
		const decoder = new TextDecoder();
		let buffer = '';
		for (;;) {
			const chunk = await reader.read();
			if (chunk.done || !current()) {
				return;
			}
			lastServerActivity = environment.now();
			buffer = (buffer + decoder.decode(chunk.value, { stream: true })).replace(/\r\n/g, '\n');
			let end;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				streamEvent(channel, buffer.slice(0, end));
				buffer = buffer.slice(end + 2);
			}
		}
	}

	function streamEvent(channel, block) {
		const fields = { event: 'message', data: [] };
		block.split('\n').forEach((line) => {
			const colon = line.indexOf(':');
			const name = (colon < 0) ? line : line.slice(0, colon);
			const value = (colon < 0) ? '' : line.slice(colon + 1).replace(/^ /, '');
			if (name === 'data') {
				fields.data.push(value);
			}
			else if (name === 'event' || name === 'id') {
				fields[name] = value;
			}
		});
		if (fields.id !== undefined) {
			channel.lastEventId = fields.id;
		}
		if (fields.event === 'reload') {
			channel.handles.forEach((handle) => handle.channelReady(channel, true));
		}
		else if (fields.event === channel.action && fields.data.length > 0) {
			try {
				accept(channel, JSON.parse(fields.data.join('\n')));
			}
			catch (ex) {
				log('unreadable event on', channel.name);
			}
		}
	}

	function authorize(name) {
		const form = new URLSearchParams();
		form.set('socket_id', connectionId || '');
		form.set('channel_name', name);
		return request(settings.authEndpoint, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				Accept: 'application/json'
			},
			body: form.toString()
		});
	}

	function deny(channel, why) {
		if (channel.denied) {
			return;
		}
		channel.denied = why;
		channel.subscription = null;
		const detail = {
			channel: channel.name,
			entity: channel.entity,
			id: channel.id,
			action: channel.action,
			reason: why
		};
		emit('denied', detail);
		channel.handles.forEach((handle) => handle.channelDenied(channel, detail));
	}

	function deliver(channel, frame) {
		lastServerActivity = environment.now();
		let message;
		try {
			message = JSON.parse(frame.body);
		}
		catch (ex) {
			log('unreadable message on', channel.name);
			return;
		}
		if (channel.presence) {
			presenceFrame(channel, frame.headers['notify-listen-presence'], message);
		}
		else if (frame.headers['notify-listen-recovery'] !== undefined) {
			recovered(channel, message);
		}
		else if (channel.recovering) {
			channel.held.push(message);
		}
		else {
			accept(channel, message);
		}
	}

	// The server's answer to last-epoch/last-sequence: the missed messages in order, or word that
	// too much was missed (or the server restarted) and the page should reload what it shows.
	function recovered(channel, recovery) {
		const held = channel.held || [];
		channel.recovering = false;
		channel.held = [];
		if (recovery.recovered) {
			(recovery.messages || []).forEach((message) => accept(channel, message));
		}
		else {
			log('could not recover', channel.name);
			channel.handles.forEach((handle) => handle.channelReady(channel, true));
		}
		held.forEach((message) => accept(channel, message));
	}

	// Delivers a message once: a replayed one may also arrive live, and both carry the same number.
	function accept(channel, message) {
		if (message.sequence > 0) {
			if (message.epoch === channel.lastEpoch && message.sequence <= channel.lastSequence) {
				return;
			}
			channel.lastEpoch = message.epoch;
			channel.lastSequence = message.sequence;
		}
		channel.handles.forEach((handle) => handle.deliver(channel, message));
		emit('message', message);
	}

	// ---- presence ----

	// 'here' is the list as the server saw it, this page's user in it; a change carries a version that
	// grows with this object's changes, so one that arrived before the list (the page's own join
	// among them), or twice, is told apart and skipped.
	function presenceFrame(channel, kind, frame) {
		if (kind === 'here') {
			const held = channel.held || [];
			channel.held = null;
			channel.version = frame.version;
			channel.me = frame.me || null;
			setMembers(channel, frame.members || [], frame.count, !!frame.truncated);
			channel.handles.forEach((handle) => handle.channelReady(channel, false));
			held.forEach((change) => applyChange(channel, change));
		}
		else if (channel.held) {
			channel.held.push(frame);
		}
		else {
			applyChange(channel, frame);
		}
	}

	function setMembers(channel, members, count, truncated) {
		channel.members = new Map(members.map((member) => [member.id, member]));
		channel.truncated = truncated;
		channel.count = count;
		const list = Array.from(channel.members.values());
		channel.handles.forEach((handle) => handle.presenceHere(list, { count: count, truncated: truncated, me: channel.me }));
	}

	function applyChange(channel, change) {
		if (change.version <= channel.version) {
			return;
		}
		channel.version = change.version;
		if (change.truncated) {
			if (!channel.truncated) {
				setMembers(channel, [], change.count, true);
			}
		}
		else if (change.members) {
			setMembers(channel, change.members, change.count, false);
		}
		else {
			(change.joining || []).forEach((member) => {
				if (!channel.members.has(member.id)) {
					channel.members.set(member.id, member);
					channel.handles.forEach((handle) => handle.presenceCall('joining', member));
				}
			});
			(change.leaving || []).forEach((member) => {
				if (channel.members.delete(member.id)) {
					channel.handles.forEach((handle) => handle.presenceCall('leaving', member));
				}
			});
		}
		if (change.count !== channel.count) {
			channel.count = change.count;
			channel.handles.forEach((handle) => handle.presenceCall('count', change.count));
		}
	}

	/** What presence() returns. */
	class PresenceHandle {

		constructor(channel, handlers, options) {
			this.channel = channel;
			this.handlers = handlers;
			this.options = options || {};
			this.stopped = false;
			this.ready = new Promise((resolve, reject) => {
				this.resolveReady = resolve;
				this.rejectReady = reject;
			});
			this.ready.catch(() => {});
			channel.handles.add(this);
			if (channel.denied) {
				this.channelDenied(channel, { channel: channel.name, reason: channel.denied });
			}
			else if (channel.members && channel.held === null) {
				this.channelReady(channel, false);
				this.presenceHere(Array.from(channel.members.values()),
					{ count: channel.count, truncated: channel.truncated, me: channel.me });
			}
		}

		/** The members present now, this user among them; empty beyond the server's max-members. */
		get members() {
			return this.channel.members ? Array.from(this.channel.members.values()) : [];
		}

		/** How many members are present now. */
		get count() {
			return this.channel.count || 0;
		}

		/** What the others see of this user, once the list has arrived. */
		get me() {
			return this.channel.me || null;
		}

		channelReady() {
			this.resolveReady(this);
		}

		channelDenied(channel, detail) {
			this.rejectReady(new Error(detail.reason));
			if (this.options.denied) {
				safely((d) => this.options.denied(d.reason, d), detail);
			}
		}

		presenceHere(members, info) {
			if (!this.stopped && this.handlers.here) {
				safely(() => this.handlers.here(members, info));
			}
		}

		presenceCall(name, argument) {
			if (!this.stopped && this.handlers[name]) {
				safely(this.handlers[name], argument);
			}
		}

		deliver() {
		}

		/** Leave: the last handle of this page on the object unsubscribes, and the user leaves with their last page. */
		stop() {
			if (!this.stopped) {
				this.stopped = true;
				release(this.channel, this);
			}
		}

	}

	function channelFor(entity, id, action) {
		const name = entity + '/' + id + '/' + action;
		let channel = channels.get(name);
		if (!channel) {
			channel = {
				name: name,
				entity: entity,
				id: id,
				action: action,
				handles: new Set(),
				subscription: null,
				signing: false,
				denied: null,
				lastEpoch: null,
				lastSequence: 0,
				recovering: false,
				held: []
			};
			channels.set(name, channel);
		}
		return channel;
	}

	function release(channel, handle) {
		channel.handles.delete(handle);
		if (channel.handles.size > 0 || channels.get(channel.name) !== channel) {
			return;
		}
		channels.delete(channel.name);
		if (channel.subscription && (channel.subscription.stream || (client && client.connected))) {
			channel.subscription.unsubscribe();
		}
		channel.subscription = null;
		if (channels.size === 0 && state !== 'idle') {
			clearTimeout(idleTimer);
			idleTimer = setTimeout(close, IDLE_CLOSE_DELAY);
		}
	}

	/** What listen() returns. */
	class Handle {

		constructor(entity, id, handlers, options) {
			this.entity = entity;
			this.id = id;
			this.handlers = handlers;
			this.options = options || {};
			this.channels = Object.keys(handlers).map((action) => channelFor(entity, id, action));
			this.pending = new Set(this.channels.map((channel) => channel.name));
			this.stopped = false;
			this.ready = new Promise((resolve, reject) => {
				this.resolveReady = resolve;
				this.rejectReady = reject;
			});
			// A page that only uses callbacks must not see "uncaught (in promise)" for a denial.
			this.ready.catch(() => {});
			this.channels.forEach((channel) => {
				channel.handles.add(this);
				if (channel.subscription) {
					this.channelReady(channel, false);
				}
				else if (channel.denied) {
					this.channelDenied(channel, {
						channel: channel.name,
						entity: channel.entity,
						id: channel.id,
						action: channel.action,
						reason: channel.denied
					});
				}
			});
		}

		channelReady(channel, resync) {
			if (this.pending.delete(channel.name) && this.pending.size === 0) {
				this.resolveReady(this);
			}
			// Once per handle per connection, not once per action: the first action speaks for the
			// gap, and any action whose missed messages could not be recovered.
			if (resync && this.options.resubscribed && this.resyncedIn !== generation
					&& (channel === this.channels[0] || channel.lastSequence > 0)) {
				this.resyncedIn = generation;
				safely(this.options.resubscribed, this);
			}
		}

		channelDenied(channel, detail) {
			this.rejectReady(new Error(detail.reason));
			if (this.options.denied) {
				safely((d) => this.options.denied(d.reason, d), detail);
			}
		}

		deliver(channel, message) {
			const handler = this.handlers[channel.action];
			if (!this.stopped && handler) {
				safely(handler, message);
			}
		}

		/** Stop listening; the last listener of a channel unsubscribes it. */
		stop() {
			if (this.stopped) {
				return;
			}
			this.stopped = true;
			this.channels.forEach((channel) => release(channel, this));
		}

	}

	// ---- public API (documented in index.d.ts) ----

	function onNotice(handler) {
		if (typeof handler !== 'function') {
			throw new Error('Give a function');
		}
		const handle = {
			deliver: (channel, message) => safely(handler, message),
			channelReady: () => {},
			channelDenied: () => {}
		};
		const pseudo = ['notify', 'notices'].map((kind) => {
			const name = '#' + kind;
			let channel = channels.get(name);
			if (!channel) {
				channel = { name: name, notice: kind, handles: new Set(), subscription: null, signing: false,
					denied: null, lastEpoch: null, lastSequence: 0, recovering: false, held: [] };
				channels.set(name, channel);
			}
			channel.handles.add(handle);
			return channel;
		});
		ensureConnected();
		return { stop: () => pseudo.forEach((channel) => release(channel, handle)) };
	}

	function originHeaders() {
		return connectionId ? { 'X-Notify-Listen-Connection': connectionId } : {};
	}

	function presence(entity, id, handlers, options) {
		const idText = checkObject(entity, id);
		const name = 'presence-' + entity + '/' + idText;
		let channel = channels.get(name);
		if (!channel) {
			channel = { name: name, presence: true, entity: String(entity), id: idText, handles: new Set(),
				subscription: null, signing: false, denied: null, lastEpoch: null, lastSequence: 0,
				recovering: false, held: [], members: null, version: 0, count: 0, truncated: false, me: null };
			channels.set(name, channel);
		}
		const handle = new PresenceHandle(channel, handlers || {}, options);
		ensureConnected();
		return handle;
	}

	function listen(entity, id, handlers, options) {
		const idText = checkObject(entity, id);
		const actions = Object.keys(handlers || {});
		if (actions.length === 0) {
			throw new Error('Give at least one action handler, such as {refresh: (msg) => ...}');
		}
		actions.forEach((action) => {
			if (!isAction(action) || typeof handlers[action] !== 'function') {
				throw new Error('Invalid action handler: ' + action);
			}
		});
		const handle = new Handle(String(entity), idText, handlers, options);
		ensureConnected();
		return handle;
	}

	function on(event, fn) {
		(listeners[event] = listeners[event] || []).push(fn);
		return () => off(event, fn);
	}

	function off(event, fn) {
		const fns = listeners[event];
		if (fns && fns.indexOf(fn) >= 0) {
			fns.splice(fns.indexOf(fn), 1);
		}
	}

	function configure(options) {
		Object.assign(config, options || {});
	}

	/** Closes the connection until the page listens again; listeners and handles are kept. */
	function disconnect() {
		disconnected = true;
		refusedFor = null;
		close();
	}

	window.addEventListener('pagehide', () => {
		if (state !== 'idle') {
			close();
		}
	});
	window.addEventListener('pageshow', (event) => {
		if (event.persisted && channels.size > 0 && !disconnected) {
			attempt = 0;
			connect();
		}
	});
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'visible') {
			reconnectNowIfWaiting();
		}
	});
	window.addEventListener('online', reconnectNowIfWaiting);

	return Object.freeze({
		listen: listen,
		presence: presence,
		onNotice: onNotice,
		originHeaders: originHeaders,
		on: on,
		off: off,
		configure: configure,
		disconnect: disconnect,
		get state() {
			return state;
		},
		get connectionId() {
			return connectionId;
		},
		get transport() {
			return transport;
		}
	});
}
