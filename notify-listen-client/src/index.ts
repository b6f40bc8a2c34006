/*
 * @notify-listen/client as an ES module: the page's one client, made on first use, and
 * createNotifyListen for a client of one's own.
 */
import { Client } from '@stomp/stompjs';
import { createClient } from './client.js';
import type { ActionHandlers, EntityName, MessageHandler, NoticeMessage } from './contract.js';
import type {
	ClientEvents, ClientOptions, ConnectionState, ListenHandle, ListenOptions, NotifyListenClient, PresenceHandle,
	PresenceHandlers, PresenceOptions, TypeListenOptions
} from './types.js';

export type {
	ActionHandlers, ChannelMessage, EntityName, MessageHandler, NoticeMessage, NotifyListenChannels, NotifyListenFilters,
	NotifyListenNotices, Where
} from './contract.js';
export type {
	ClientEvents, ClientOptions, ConnectionState, DeniedEvent, ListenHandle, ListenOptions, NotifyListenClient,
	NotifyMessage, PresenceHandle, PresenceHandlers, PresenceInfo, PresenceMember, PresenceOptions, StateEvent,
	StateReason, Transport, TypeListenOptions
} from './types.js';

/** A client of its own, on the browser's own WebSocket, fetch and timers; a page normally uses the shared one. */
export function createNotifyListen(options?: ClientOptions): NotifyListenClient {
	// fetch and the timers are looked up at each call, as the served script always did: a page or a
	// test may wrap them after the client was made.
	const client = createClient({
		window: globalThis.window,
		document: globalThis.document,
		fetch: (url, init) => globalThis.fetch(url, init),
		StompClient: Client,
		CustomEvent: globalThis.CustomEvent,
		setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
		clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
		random: Math.random,
		now: Date.now,
		console: globalThis.console,
		baseUrl: options && options.baseUrl
	});
	client.configure(options || {});
	return client;
}

let shared: NotifyListenClient | null = null;

/** The page's one client's state, kept current (a live binding): what NotifyListen.state is in the script. */
export let state: ConnectionState = 'idle';

/**
 * The page's one client, made on first use rather than on import, so that importing this module
 * where there is no window (server-side rendering, tests) costs nothing.
 */
export function notifyListen(): NotifyListenClient {
	if (!shared) {
		shared = createNotifyListen();
		shared.on('state', (event) => {
			state = event.state;
		});
	}
	return shared;
}

// The page's one client, function by function: what window.NotifyListen offers, as imports.

/** Listen to an object with the page's one client: {@link NotifyListenClient.listen}. */
export function listen<E extends EntityName>(entity: E, id: string | number, handlers: ActionHandlers<E>,
	options?: ListenOptions): ListenHandle<E>;
/** Listen to every object of an entity with the page's one client: {@link NotifyListenClient.listen}. */
export function listen<E extends EntityName>(entity: E, handlers: ActionHandlers<E>,
	options?: TypeListenOptions<E>): ListenHandle<E>;
export function listen<E extends EntityName>(entity: E, idOrHandlers: string | number | ActionHandlers<E>,
	handlersOrOptions?: ActionHandlers<E> | ListenOptions, options?: ListenOptions): ListenHandle<E> {
	const client = notifyListen().listen as (...args: unknown[]) => ListenHandle<E>;
	return client(entity, idOrHandlers, handlersOrOptions, options);
}

/** Be present on an object: {@link NotifyListenClient.presence}. */
export function presence<E extends EntityName>(entity: E, id: string | number, handlers?: PresenceHandlers,
	options?: PresenceOptions): PresenceHandle {
	return notifyListen().presence(entity, id, handlers, options);
}

/** Messages addressed to this user, a role, this connection or everyone: {@link NotifyListenClient.onNotice}. */
export function onNotice(handler: MessageHandler<NoticeMessage>): { stop(): void } {
	return notifyListen().onNotice(handler);
}

/** A header for the page's own requests, so that the server's toOthers() skips this page. */
export function originHeaders(): Record<string, string> {
	return notifyListen().originHeaders();
}

/** Add an event listener; returns a function that removes it: {@link NotifyListenClient.on}. */
export function on<K extends keyof ClientEvents>(event: K, listener: (detail: ClientEvents[K]) => void): () => void {
	return notifyListen().on(event, listener);
}

/** Remove an event listener. */
export function off<K extends keyof ClientEvents>(event: K, listener: (detail: ClientEvents[K]) => void): void {
	notifyListen().off(event, listener);
}

/** Set the page's one client's options: {@link ClientOptions}. */
export function configure(options: ClientOptions): void {
	notifyListen().configure(options);
}

/** Close the connection until the page listens again: {@link NotifyListenClient.disconnect}. */
export function disconnect(): void {
	notifyListen().disconnect();
}
