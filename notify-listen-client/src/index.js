/*
 * @notify-listen/client as an ES module: the page's one client, made on first use, and
 * createNotifyListen for a client of one's own. Types and documentation: index.d.ts.
 */
import { Client } from '@stomp/stompjs';
import { createClient } from './client.js';

/**
 * A client on the browser's own WebSocket, fetch and timers.
 * @param {{baseUrl?: string, debug?: boolean, transport?: string}} [options]
 */
export function createNotifyListen(options) {
	// fetch and the timers are looked up at each call, as the served script always did: a page or a
	// test may wrap them after the client was made.
	const client = createClient({
		window: globalThis.window,
		document: globalThis.document,
		fetch: (...args) => globalThis.fetch(...args),
		StompClient: Client,
		CustomEvent: globalThis.CustomEvent,
		setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
		clearTimeout: (id) => globalThis.clearTimeout(id),
		random: Math.random,
		now: Date.now,
		console: globalThis.console,
		baseUrl: options && options.baseUrl
	});
	client.configure(options);
	return client;
}

let shared = null;

/** The shared client's state, kept current (a live binding): what NotifyListen.state is in the script. */
export let state = 'idle';

/**
 * The page's one client, made on first use rather than on import, so that importing this module
 * where there is no window (server-side rendering, tests) costs nothing.
 */
export function notifyListen() {
	if (!shared) {
		shared = createNotifyListen();
		shared.on('state', (event) => {
			state = event.state;
		});
	}
	return shared;
}

export function listen(entity, id, handlers, options) {
	return notifyListen().listen(entity, id, handlers, options);
}

export function presence(entity, id, handlers, options) {
	return notifyListen().presence(entity, id, handlers, options);
}

export function onNotice(handler) {
	return notifyListen().onNotice(handler);
}

export function originHeaders() {
	return notifyListen().originHeaders();
}

export function on(event, fn) {
	return notifyListen().on(event, fn);
}

export function off(event, fn) {
	notifyListen().off(event, fn);
}

export function configure(options) {
	notifyListen().configure(options);
}

export function disconnect() {
	notifyListen().disconnect();
}
