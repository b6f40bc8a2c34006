// A browser and a notify-listen server in miniature, for driving createClient under node --test:
// timers that move only when a test says so, a fetch that answers like /rest/pusher/key and
// /rest/pusher/auth, and a STOMP client the test connects, feeds and closes by hand.
import { createClient } from '../src/client.js';

export const SETTINGS = {
	key: 'shop',
	endpoint: '/notify-listen/ws',
	authEndpoint: '/rest/pusher/auth',
	destinationFormat: '/topic/shop.{entity}.{id}.{action}',
	presenceDestinationFormat: '/topic/shop.presence.{entity}.{id}.members',
	signatureRequired: true,
	heartbeatOutgoing: 10000,
	heartbeatIncoming: 10000,
	csrf: { headerName: 'X-CSRF-TOKEN', token: 'csrf-1' }
};

/** setTimeout and clearTimeout on a clock that moves only by advance(). */
export class FakeClock {

	constructor() {
		this.time = 1000000;
		this.timers = new Map();
		this.nextId = 1;
		this.setTimeout = (fn, ms) => {
			const id = this.nextId++;
			this.timers.set(id, { fn, at: this.time + (ms || 0), ms });
			return id;
		};
		this.clearTimeout = (id) => {
			this.timers.delete(id);
		};
		this.now = () => this.time;
	}

	/** The delays of the timers waiting now, shortest first. */
	pending() {
		return [...this.timers.values()].map((timer) => timer.ms).sort((a, b) => a - b);
	}

	/** Moves time on, running each timer that falls due, in order. */
	async advance(ms) {
		const end = this.time + ms;
		for (;;) {
			const due = [...this.timers.entries()].filter(([, timer]) => timer.at <= end)
				.sort((a, b) => a[1].at - b[1].at)[0];
			if (!due) {
				break;
			}
			this.timers.delete(due[0]);
			this.time = due[1].at;
			due[1].fn();
			await settle();
		}
		this.time = end;
	}

}

/** Lets pending promise callbacks (fetch answers, JSON bodies) run. */
export async function settle() {
	for (let i = 0; i < 10; i++) {
		await new Promise((resolve) => setImmediate(resolve));
	}
}

/** A stompjs Client stand-in: records what the client under test does with it. */
export class FakeStomp {

	constructor(config, server) {
		this.config = config;
		this.server = server;
		this.connected = false;
		this.active = false;
		this.subscriptions = [];
		this.published = [];
		this.receiptWatchers = new Map();
		server.sockets.push(this);
	}

	activate() {
		this.active = true;
	}

	deactivate() {
		this.active = false;
		this.connected = false;
	}

	forceDisconnect() {
		this.server.forced++;
		this.close();
	}

	subscribe(destination, callback, headers) {
		const subscription = { destination, callback, headers, unsubscribed: false };
		subscription.unsubscribe = () => {
			subscription.unsubscribed = true;
		};
		this.subscriptions.push(subscription);
		return subscription;
	}

	publish(frame) {
		this.published.push(frame);
	}

	watchForReceipt(receiptId, callback) {
		this.receiptWatchers.set(receiptId, callback);
	}

	/** The server answers a frame's receipt header with RECEIPT. */
	receipt(receiptId, headers = {}) {
		const callback = this.receiptWatchers.get(receiptId);
		this.receiptWatchers.delete(receiptId);
		callback({ headers: { 'receipt-id': receiptId, ...headers } });
	}

	/** The server answers CONNECT with CONNECTED. */
	connect(connectionId = 'c'.repeat(32), headers = {}) {
		this.connected = true;
		this.onConnect({ headers: { 'connection-id': connectionId, ...headers } });
	}

	/** The socket closes. */
	close(reason = '') {
		const wasOpen = this.active;
		this.connected = false;
		if (wasOpen) {
			this.onWebSocketClose({ code: 1006, reason });
		}
	}

	/** An ERROR frame, as the server sends before it closes. */
	error(headers) {
		this.onStompError({ headers, body: '' });
	}

	/** The subscription to a destination. */
	on(destination) {
		const found = this.subscriptions.filter((s) => s.destination === destination && !s.unsubscribed);
		if (found.length !== 1) {
			throw new Error('Subscribed ' + found.length + ' times to ' + destination + ': '
				+ this.subscriptions.map((s) => s.destination).join(', '));
		}
		return {
			headers: found[0].headers,
			send: (body, headers = {}) => found[0].callback({
				headers, body: typeof body === 'string' ? body : JSON.stringify(body)
			})
		};
	}

}

/**
 * The server side of the fakes: answers fetch like notify-listen does, counts requests, and hands
 * out FakeStomp sockets. `authAnswer(channel)` decides /rest/pusher/auth.
 */
export class FakeServer {

	constructor() {
		this.sockets = [];
		this.streams = [];
		this.requests = [];
		this.forced = 0;
		this.keyAnswer = () => json(200, SETTINGS);
		this.authAnswer = (channel, socketId) => json(200, { auth: 'shop:sig-of-' + socketId + ':' + channel });
		this.streamAnswer = (request) => this.openStream(request);
		this.fetch = async (url, init = {}) => {
			const path = new URL(url).pathname;
			const request = {
				path, method: init.method || 'GET', headers: init.headers || {}, body: init.body, credentials: init.credentials
			};
			this.requests.push(request);
			if (path === '/rest/pusher/key') {
				return this.keyAnswer();
			}
			if (path === '/rest/pusher/auth') {
				const form = new URLSearchParams(init.body);
				return this.authAnswer(form.get('channel_name'), form.get('socket_id'));
			}
			if (path.startsWith('/notify-listen/sse/')) {
				return this.streamAnswer({ ...request, url, signal: init.signal });
			}
			return json(404, { error: 'Not found' });
		};
	}

	/** An event stream the test feeds by hand; aborting the request fails its body, as in a browser. */
	openStream(request) {
		let controller;
		const body = new ReadableStream({
			start(c) {
				controller = c;
			}
		});
		const encoder = new TextEncoder();
		const stream = {
			url: request.url,
			headers: request.headers,
			aborted: false,
			/** An event named by action, as the server's SSE endpoint sends it. */
			send(name, data, id) {
				controller.enqueue(encoder.encode((id ? 'id:' + id + '\n' : '') + 'event:' + name + '\ndata:'
					+ JSON.stringify(data) + '\n\n'));
			},
			end() {
				controller.close();
			}
		};
		if (request.signal) {
			request.signal.addEventListener('abort', () => {
				stream.aborted = true;
				try {
					controller.error(new DOMException('aborted', 'AbortError'));
				}
				catch (ex) {
					// Already ended.
				}
			});
		}
		this.streams.push(stream);
		return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
	}

	get socket() {
		return this.sockets[this.sockets.length - 1];
	}

	authRequests() {
		return this.requests.filter((r) => r.path === '/rest/pusher/auth')
			.map((r) => new URLSearchParams(r.body).get('channel_name'));
	}

}

export function json(status, body) {
	return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

// Node 18 (Debian bookworm's) has Event but no global CustomEvent.
const CustomEventOrShim = globalThis.CustomEvent || class extends Event {
	constructor(type, init) {
		super(type);
		this.detail = init && init.detail;
	}
};

/** A client on fakes: `random` decides the backoff jitter (1 means the ceiling). */
export function fakeClient({ random = () => 1 } = {}) {
	const server = new FakeServer();
	const clock = new FakeClock();
	const window = new EventTarget();
	window.location = { origin: 'http://app.test', href: 'http://app.test/orders/42' };
	const document = new EventTarget();
	document.visibilityState = 'visible';
	const errors = [];
	const logs = [];
	const client = createClient({
		window,
		document,
		fetch: server.fetch,
		StompClient: class extends FakeStomp {
			constructor(config) {
				super(config, server);
			}
		},
		CustomEvent: CustomEventOrShim,
		setTimeout: clock.setTimeout,
		clearTimeout: clock.clearTimeout,
		random,
		now: clock.now,
		console: { debug: (...args) => logs.push(args.join(' ')), error: (...args) => errors.push(args) }
	});
	const events = [];
	for (const name of ['state', 'denied', 'message']) {
		client.on(name, (detail) => events.push([name, detail]));
	}
	return { client, server, clock, window, document, events, errors, logs };
}
