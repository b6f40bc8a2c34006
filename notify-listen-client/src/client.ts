/*
 * The notify-listen client: one per page, shared by every listen(), presence() and onNotice(). The
 * connection and its transports are in connection.ts, stomp-transport.ts and event-streams.ts; what
 * a handle is told, in subscription.ts and presence.ts; recovery after a drop, in recovery.ts.
 *
 * The client stops (DISCONNECT, socket closed) on 'pagehide', which also keeps the page eligible
 * for the back/forward cache; if the page comes back from that cache it reconnects. disconnect()
 * (a log out) stops it until the page listens again, keeping its handles, as pusher-js and
 * centrifuge keep their subscriptions.
 */
import { type Channel, type ChannelHandle, newChannel } from './channel.js';
import { type Config, Connection } from './connection.js';
import type { ActionHandlers, EntityName, MessageHandler, NoticeMessage } from './contract.js';
import type { Environment } from './environment.js';
import { Emitter } from './events.js';
import { checkWhere } from './filters.js';
import { ANY_ID, checkEntity, checkObject, isAction } from './names.js';
import { Presence, newPresenceChannel } from './presence.js';
import { type Handler, Subscription } from './subscription.js';
import type {
	ClientEvents, ClientOptions, ListenHandle, ListenOptions, NotifyListenClient, PresenceHandle, PresenceHandlers,
	PresenceOptions, TypeListenOptions
} from './types.js';

/**
 * Makes a client.
 * @param environment what the client takes from the page (environment.ts)
 * @returns the API that window.NotifyListen and the ES module expose
 */
export function createClient(environment: Environment): NotifyListenClient {
	const { window, document } = environment;
	const config: Config = {
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
	const events = new Emitter(environment, config);
	const connection = new Connection(environment, config, events);

	function listen<E extends EntityName>(entity: E, idOrHandlers: string | number | ActionHandlers<E>,
			handlersOrOptions?: ActionHandlers<E> | ListenOptions, maybeOptions?: ListenOptions): ListenHandle<E> {
		// listen(entity, handlers, options): every object of the entity that the user may read.
		const byType = typeof idOrHandlers === 'object' && idOrHandlers !== null;
		const handlers: unknown = byType ? idOrHandlers : handlersOrOptions;
		const options = ((byType ? handlersOrOptions : maybeOptions) || {}) as ListenOptions;
		let idText = ANY_ID;
		if (byType) {
			checkEntity(entity);
			if (options.since) {
				throw new Error('since is for one object: a listener to a type cannot recover what it missed');
			}
			checkWhere((options as TypeListenOptions).where);
		}
		else {
			idText = checkObject(entity, idOrHandlers);
			if ((options as TypeListenOptions).where !== undefined) {
				throw new Error('where is for a listener to every object of an entity');
			}
		}
		const byAction = (handlers || {}) as Record<string, unknown>;
		const actions = Object.keys(byAction);
		if (actions.length === 0) {
			throw new Error('Give at least one action handler, such as {refresh: (msg) => ...}');
		}
		actions.forEach((action) => {
			if (!isAction(action) || typeof byAction[action] !== 'function') {
				throw new Error('Invalid action handler: ' + action);
			}
		});
		const handle = new Subscription<E>(connection, String(entity) as E, idText,
			byAction as Record<string, Handler>, options);
		connection._ensureConnected();
		return handle;
	}

	function presence<E extends EntityName>(entity: E, id: string | number, handlers?: PresenceHandlers,
			options?: PresenceOptions): PresenceHandle {
		const idText = checkObject(entity, id);
		const channel = connection._channel('presence-' + entity + '/' + idText,
			(name) => newPresenceChannel(name, String(entity), idText));
		const handle = new Presence(connection, channel, handlers || {}, options || {});
		connection._ensureConnected();
		return handle;
	}

	function onNotice(handler: MessageHandler<NoticeMessage>): { stop(): void } {
		if (typeof handler !== 'function') {
			throw new Error('Give a function');
		}
		const handle: ChannelHandle = {
			_deliver: (_channel, message) => events._safely(handler as Handler, message),
			_ready: () => {},
			_denied: () => {},
			_refused: () => {}
		};
		const kinds: Channel[] = ['notify', 'notices'].map((kind) => {
			const channel = connection._channel('#' + kind, (name) => newChannel(name, { notice: kind }));
			channel._handles.add(handle);
			return channel;
		});
		connection._ensureConnected();
		return { stop: () => kinds.forEach((channel) => connection._release(channel, handle)) };
	}

	function on<K extends keyof ClientEvents>(event: K, fn: (detail: ClientEvents[K]) => void): () => void {
		events._on(event, fn);
		return () => off(event, fn);
	}

	function off<K extends keyof ClientEvents>(event: K, fn: (detail: ClientEvents[K]) => void): void {
		events._off(event, fn);
	}

	window.addEventListener('pagehide', () => {
		if (connection._state !== 'idle') {
			connection._close();
		}
	});
	window.addEventListener('pageshow', (event) => {
		if ((event as PageTransitionEvent).persisted && connection._channels.size > 0 && !connection._disconnected) {
			connection._attempt = 0;
			connection._connect();
		}
	});
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'visible') {
			connection._reconnectNowIfWaiting();
		}
	});
	window.addEventListener('online', () => connection._reconnectNowIfWaiting());

	return Object.freeze({
		listen: listen as NotifyListenClient['listen'],
		presence: presence,
		onNotice: onNotice,
		originHeaders: (): Record<string, string> => connection._connectionId
			? { 'X-Notify-Listen-Connection': connection._connectionId } : {},
		on: on,
		off: off,
		configure: (options: ClientOptions) => {
			Object.assign(config, options || {});
		},
		/** Closes the connection until the page listens again; listeners and handles are kept. */
		disconnect: () => {
			connection._disconnected = true;
			connection._refusedFor = null;
			connection._close();
		},
		get state() {
			return connection._state;
		},
		get connectionId() {
			return connection._connectionId;
		},
		get transport() {
			return connection._transport;
		}
	});
}
