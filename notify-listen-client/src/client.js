/*
 * The notify-listen client: one per page, shared by every listen(), presence() and onNotice().
 *
 * How it talks to the server, and why:
 * - One WebSocket per page, shared by every listen() call; a channel that several calls listen to
 *   is subscribed once. The socket closes a second after the last listener stops.
 * - Each connection attempt reads /rest/pusher/key afresh: the CSRF token belongs to the HTTP
 *   session, and after a server restart or a re-login the session (and so the token) is new.
 * - Each channel is signed by /rest/pusher/auth for this connection's id before SUBSCRIBE. The id
 *   changes with every connection, so after a reconnect every channel is signed again. The page
 *   never holds a secret: the signature is worth one channel on one connection.
 * - A refusal from /rest/pusher/auth (403/400) marks that channel denied: it is reported once, as
 *   'denied', and skipped from then on, on this and on later connections. The server closes the
 *   whole connection when it refuses a SUBSCRIBE, so each SUBSCRIBE carries a receipt header that
 *   the ERROR frame echoes; the client marks that channel denied, reconnects at once and leaves it
 *   out, instead of looping. "Login required" is the exception: it is about the session, not the
 *   channel, so the channel is tried again on the next connection.
 * - After a drop it reconnects with exponential backoff and full jitter (backoff.js) so that a
 *   restarted server is not hit by every page at the same instant. The backoff resets once a
 *   connection has stayed up for 10 s.
 * - A CONNECT the server refuses (typically "Login required" once the HTTP session is gone, or a
 *   stale CSRF token) sets the state to 'failed' with the reason; the client keeps retrying at the
 *   same backoff, because logging in again in another tab, or a remember-me cookie, mends it.
 * - Session loss: the client relies on the browser's cookies only. If the application
 *   re-authenticates a request by itself (Spring Security remember-me), the next /rest/pusher/key
 *   call opens a new session with a new CSRF token and the client carries on. If it does not, the
 *   state stays 'failed' ("Login required") until the user logs in again.
 *
 * Transport: STOMP over WebSocket. Where WebSocket cannot connect (two attempts that never reached
 * CONNECTED), the client falls back by itself to Server-Sent Events, one EventSource per channel,
 * with the same checks on the server; notices and presence need WebSocket.
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
 * a channel on which nothing had been received yet.
 *
 * Presence: a user is one member however many tabs they have open. After a reconnect 'here' is
 * called again with the list as it is then, rather than a string of joins and leaves.
 *
 * The client stops (DISCONNECT, socket closed) on 'pagehide', which also keeps the page eligible
 * for the back/forward cache; if the page comes back from that cache it reconnects.
 *
 * Everything the client needs from the browser comes in through `environment`, so that the
 * unit tests can run it under Node with a fake server, fake timers and a fake STOMP client.
 */
import { FIRST_RECONNECT_DELAY, reconnectDelay } from './backoff.js';
import { checkObject, destinationOf, isAction } from './names.js';

// A connection that lasts this long is healthy: the next drop starts the backoff from the start.
const STABLE_AFTER = 10000;

// A page swapping one listen() for another should not close and reopen the socket.
const IDLE_CLOSE_DELAY = 1000;

const CONNECT_TIMEOUT = 10000;

// WebSocket attempts that never reached CONNECTED before the client tries Server-Sent Events.
const WEBSOCKET_ATTEMPTS_BEFORE_SSE = 2;

const LOGIN_REQUIRED = 'Login required';

/**
 * Makes a client.
 * @param {Object} environment window, document, fetch, StompClient (stompjs' Client),
 *   EventSource, CustomEvent, setTimeout, clearTimeout, random, now, console and the baseUrl
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
		credentials: 'same-origin'
	};

	const listeners = {};

	/** channel name ('Order/42/refresh') -> channel state */
	const channels = new Map();

	/** SUBSCRIBE receipt id -> channel name, for the connection in use */
	const receipts = new Map();

	let state = 'idle';
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
	let receiptSeq = 0;
	let lastServerActivity = 0;

	function log(...parts) {
		if (config.debug && console) {
			console.debug('[notify-listen]', ...parts);
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
		const changed = next !== state;
		state = next;
		const detail = { state: next };
		if (extra) {
			Object.assign(detail, extra);
		}
		log('state', detail);
		if (changed || next === 'failed' || next === 'reconnecting') {
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

	async function fetchSettings() {
		// 'manual': a login redirect must read as "not logged in", not as a 200 HTML page.
		const response = await fetch(config.baseUrl + '/rest/pusher/key', {
			credentials: config.credentials,
			cache: 'no-store',
			redirect: 'manual',
			headers: { Accept: 'application/json' }
		});
		if (response.type === 'opaqueredirect' || response.status === 401) {
			throw refusal(LOGIN_REQUIRED);
		}
		if (!response.ok) {
			throw new Error('Settings unavailable (' + response.status + ')');
		}
		return response.json();
	}

	function refusal(reason) {
		const error = new Error(reason);
		error.refused = true;
		return error;
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
			setState(everConnected ? 'reconnecting' : 'connecting', { attempt: attempt });
		}
		try {
			const fresh = await fetchSettings();
			if (gen !== generation) {
				return;
			}
			settings = fresh;
			if (transport === 'sse' || config.transport === 'sse') {
				transport = 'sse';
				channels.forEach((channel) => subscribe(gen, null, channel, everConnected));
				return;
			}
			openSocket(gen);
		}
		catch (ex) {
			if (gen !== generation) {
				return;
			}
			log('connect failed', ex);
			if (ex.refused) {
				setState('failed', { reason: ex.message });
			}
			scheduleReconnect();
		}
	}

	function openSocket(gen) {
		const connectHeaders = {};
		if (settings.csrf) {
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
		stomp.onWebSocketClose = () => {
			if (gen !== generation) {
				return;
			}
			onClosed(stomp);
		};
		client = stomp;
		stomp.activate();
	}

	function onConnected(gen, stomp, frame) {
		connectionId = frame.headers['connection-id'] || null;
		lastServerActivity = environment.now();
		receipts.clear();
		const resync = everConnected;
		everConnected = true;
		setState('connected');
		stableTimer = setTimeout(() => {
			attempt = 0;
		}, STABLE_AFTER);
		channels.forEach((channel) => subscribe(gen, stomp, channel, resync));
	}

	function onStompError(frame, connected) {
		const reason = frame.headers.message || 'Refused by server';
		const receipt = frame.headers['receipt-id'];
		const name = receipt ? receipts.get(receipt) : null;
		log('ERROR frame', reason, receipt);
		if (name && channels.has(name)) {
			// The server closes the socket after this; reconnect without the denied channel, now.
			deny(channels.get(name), reason);
			attempt = 0;
			return;
		}
		if (!connected) {
			setState('failed', { reason: reason });
		}
	}

	function onClosed(stomp) {
		client = null;
		connectionId = null;
		receipts.clear();
		channels.forEach((channel) => {
			channel.subscription = null;
		});
		clearTimeout(stableTimer);
		// Let stompjs release its handler and heart-beat worker; it will not reconnect by itself.
		stomp.deactivate();
		if (channels.size === 0) {
			setState('idle');
			return;
		}
		// A network that lets HTTP through but not WebSocket: the same channels over Server-Sent Events.
		if (!everConnected && config.transport === 'auto'
				&& ++webSocketFailures >= WEBSOCKET_ATTEMPTS_BEFORE_SSE) {
			log('WebSocket does not connect: falling back to Server-Sent Events');
			transport = 'sse';
			emit('transport', { transport: transport });
			attempt = 0;
		}
		scheduleReconnect();
	}

	function scheduleReconnect() {
		clearTimeout(retryTimer);
		const delay = reconnectDelay(attempt, environment.random);
		attempt++;
		if (state !== 'failed') {
			setState('reconnecting', { attempt: attempt, retryInMs: delay });
		}
		log('reconnecting in', delay, 'ms');
		retryTimer = setTimeout(connect, delay);
	}

	function clearTimers() {
		clearTimeout(retryTimer);
		clearTimeout(stableTimer);
		clearTimeout(idleTimer);
		retryTimer = null;
		idleTimer = null;
	}

	function disconnect(nextState) {
		clearTimers();
		generation++;
		const stomp = client;
		client = null;
		connectionId = null;
		receipts.clear();
		channels.forEach((channel) => {
			if (channel.subscription && channel.subscription.eventSource) {
				channel.subscription.unsubscribe();
			}
			channel.subscription = null;
		});
		if (stomp) {
			stomp.deactivate();
		}
		setState(nextState);
	}

	function ensureConnected() {
		clearTimeout(idleTimer);
		idleTimer = null;
		if (state === 'idle') {
			connect();
		}
		else if (state === 'connected' && (transport === 'sse' || (client && client.connected))) {
			channels.forEach((channel) => {
				if (!channel.subscription && !channel.signing) {
					subscribe(generation, client, channel, false);
				}
			});
		}
	}

	function reconnectNowIfWaiting() {
		if (channels.size === 0) {
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
			disconnect('reconnecting');
			connect();
		}
	}

	// ---- channels ----

	async function subscribe(gen, stomp, channel, resync) {
		if (channel.denied || channel.subscription || channel.signing) {
			return;
		}
		if (transport === 'sse') {
			subscribeEventSource(gen, channel, resync);
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
		if (response && (response.status === 401 || response.type === 'opaqueredirect')) {
			deny(channel, LOGIN_REQUIRED);
			return;
		}
		if (!response || response.status >= 500) {
			// Not a verdict on the channel: start over with a fresh connection, after backoff.
			log('auth unavailable for', channel.name);
			stomp.forceDisconnect();
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
		channel.handles.forEach((handle) => handle.channelReady(channel, resync && !recovering));
	}

	// One EventSource per channel: the server checks login, role and access as for SUBSCRIBE, names
	// events by action, and the browser resumes with Last-Event-ID by itself. Notices need WebSocket.
	function subscribeEventSource(gen, channel, resync) {
		if (channel.notice || channel.presence) {
			return;
		}
		const EventSource = environment.EventSource;
		const url = config.baseUrl + '/notify-listen/sse/' + encodeURIComponent(channel.entity) + '/'
			+ encodeURIComponent(channel.id) + '?events=' + encodeURIComponent(channel.action);
		const source = new EventSource(url, { withCredentials: true });
		channel.subscription = { eventSource: source, unsubscribe: () => source.close() };
		source.addEventListener(channel.action, (event) => {
			lastServerActivity = environment.now();
			try {
				accept(channel, JSON.parse(event.data));
			}
			catch (ex) {
				log('unreadable event on', channel.name);
			}
		});
		source.addEventListener('reload', () => channel.handles.forEach((handle) => handle.channelReady(channel, true)));
		source.onopen = () => {
			lastServerActivity = environment.now();
			everConnected = true;
			if (state !== 'connected') {
				setState('connected');
			}
			channel.handles.forEach((handle) => handle.channelReady(channel, resync));
			resync = false;
		};
		source.onerror = () => {
			if (source.readyState !== EventSource.CLOSED) {
				setState('reconnecting', { attempt: 0 });
				return;
			}
			// Closed for good: the server refused the stream. Ask once more to learn why.
			source.close();
			channel.subscription = null;
			fetch(url, { credentials: config.credentials, headers: { Accept: 'application/json' } })
				.then(async (response) => {
					if (gen !== generation || channels.get(channel.name) !== channel) {
						return;
					}
					if (!response.ok) {
						const body = await readJson(response);
						deny(channel, body.error || ('Refused (' + response.status + ')'));
						return;
					}
					response.body && response.body.cancel();
					setTimeout(() => subscribeEventSource(gen, channel, true), FIRST_RECONNECT_DELAY);
				})
				.catch(() => setTimeout(() => subscribeEventSource(gen, channel, true), FIRST_RECONNECT_DELAY));
		};
	}

	function authorize(name) {
		const headers = {
			'Content-Type': 'application/x-www-form-urlencoded',
			Accept: 'application/json'
		};
		if (settings.csrf) {
			headers[settings.csrf.headerName] = settings.csrf.token;
		}
		const form = new URLSearchParams();
		form.set('socket_id', connectionId || '');
		form.set('channel_name', name);
		return fetch(config.baseUrl + settings.authEndpoint, {
			method: 'POST',
			credentials: config.credentials,
			redirect: 'manual',
			headers: headers,
			body: form.toString()
		});
	}

	function deny(channel, reason) {
		if (reason === LOGIN_REQUIRED) {
			// The session, not the channel: try again on the next connection.
			setState('failed', { reason: reason });
			if (client) {
				client.forceDisconnect();
			}
			return;
		}
		if (channel.denied) {
			return;
		}
		channel.denied = reason;
		channel.subscription = null;
		const detail = {
			channel: channel.name,
			entity: channel.entity,
			id: channel.id,
			action: channel.action,
			reason: reason
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
		if (channel.subscription && (channel.subscription.eventSource || (client && client.connected))) {
			channel.subscription.unsubscribe();
		}
		channel.subscription = null;
		if (channels.size === 0 && state !== 'idle') {
			clearTimeout(idleTimer);
			idleTimer = setTimeout(() => disconnect('idle'), IDLE_CLOSE_DELAY);
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
			// Once per handle per reconnect, not once per action.
			if (resync && this.options.resubscribed && channel === this.channels[0]) {
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

	window.addEventListener('pagehide', () => {
		if (state !== 'idle') {
			disconnect('idle');
		}
	});
	window.addEventListener('pageshow', (event) => {
		if (event.persisted && channels.size > 0) {
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
