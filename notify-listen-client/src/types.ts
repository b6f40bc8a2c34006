/*
 * The client's public types: messages, states, events, handles and options. What a contract adds to
 * them is in contract.ts.
 */
import type { ActionHandlers, EntityName, MessageHandler, NoticeMessage, Where } from './contract.js';

/** A notification, as the server sends it (docs/client.md, "Message format"). */
export interface NotifyMessage<P = Record<string, unknown>, R = unknown> {
	/** Entity name, for example "Order". */
	entity: string;
	/** Entity id, always text. */
	id: string;
	/** Action, for example "refresh". */
	action: string;
	/** When Notifier was called: ISO-8601, UTC. */
	changedAt: string;
	/** The user who notified, or "system". */
	notifiedBy: string;
	/** What the notifier sent; `{}` when nothing. */
	payload: P;
	/** What a server @NotifyListen method returned for this user; absent when there is none. */
	result?: R;
	/** The history the message belongs to; absent on messages that are not numbered (notices). */
	epoch?: string | null;
	/** Position in the notification log; 0 or absent on messages that are not numbered. */
	sequence?: number;
	/**
	 * How many earlier messages of this channel (for a listener to a type: of this object and
	 * action) this one replaced: the server's while the page read too slowly, and the listen's
	 * `throttle` while it held calls back. Absent when none.
	 */
	folded?: number;
}

/** What the server shows of a member present on an object (its PresenceMemberResolver). */
export interface PresenceMember {
	id: string;
	name: string;
	avatarUrl?: string | null;
}

/**
 * idle (nothing to listen to, or after disconnect()), connecting, connected, reconnecting (after a
 * drop or a failed attempt, see `reason`), or failed (refused, see `reason`; retried all the same).
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/**
 * Why the state is 'failed' or 'reconnecting'. 'Login required' and 'Origin not allowed' are
 * definite: `ready` rejects with them and there is no fall back to Server-Sent Events. The server's
 * own words may also appear, such as "Invalid or missing CSRF token".
 */
export type StateReason = 'Login required' | 'Origin not allowed' | 'Network error' | 'Invalid token'
	| 'Token expired' | 'Token unavailable' | (string & {});

/** The transport in use: WebSocket, or Server-Sent Events after WebSocket did not connect. */
export type Transport = 'websocket' | 'sse';

/** The detail of a 'state' event and of the event named after the state. */
export interface StateEvent {
	state: ConnectionState;
	/** Why the state is 'failed' or 'reconnecting', for example "Login required". */
	reason?: StateReason;
	/** Reconnect attempts since the last stable connection. */
	attempt?: number;
	/** When 'reconnecting': the wait before the next attempt. */
	retryInMs?: number;
}

/** A channel or presence the server, or /rest/pusher/auth, refused. */
export interface DeniedEvent {
	/** "Order/42/refresh", or "presence-Order/42". */
	channel: string;
	entity?: string;
	id?: string;
	action?: string;
	/** "Listen role required", "Not allowed to read Order 42", ... */
	reason: string;
}

export interface ClientEvents {
	state: StateEvent;
	idle: StateEvent;
	connecting: StateEvent;
	connected: StateEvent;
	reconnecting: StateEvent;
	failed: StateEvent;
	denied: DeniedEvent;
	message: NotifyMessage;
	transport: { transport: Transport };
}

export interface ListenOptions {
	/** The object may not be listened to: called once, with the server's reason. */
	denied?: (reason: string, detail: DeniedEvent) => void;
	/**
	 * Back after a drop, and what was missed could not be recovered: reload what the page shows.
	 * Called once per listen() per reconnect; never for a listen() subscribed for the first time.
	 */
	resubscribed?: (handle: ListenHandle) => void;
	/**
	 * Where the page's data stands: the server's `Notifier.positionOf(entity, id)`, as its string
	 * (`epoch:sequence`), taken before it read what the page shows. The first SUBSCRIBE asks for every
	 * message notified after it, so a change saved between that read and the subscription still
	 * arrives; when the server no longer has them, `resubscribed` tells the page to reload. Ignored for
	 * an action another listen() of the page already listens to.
	 */
	since?: string;
	/**
	 * Run each action's handler at most once per this many milliseconds: the first message at
	 * once, then, when more arrived meanwhile, the latest of them at the end of the interval
	 * (with `folded` counting those it replaced). For a listener to a type, per action across every
	 * object: a list page reloads once for a burst. Absent or 0: every message.
	 */
	throttle?: number;
}

/** The options of a listen() to every object of an entity. */
export interface TypeListenOptions<E extends string = string> extends ListenOptions {
	/**
	 * Only the notifications whose payload has each of these fields equal to its value, checked by
	 * the server: `{ customer: 42 }`. The fields are those the application declares filterable on
	 * each of the listened actions; strings, numbers (42 equals 42.0) and booleans.
	 */
	where?: Where<E>;
}

/** What listen() returns. */
export interface ListenHandle<E extends string = string> {
	readonly entity: E;
	/** The object's id, or "*" for a listener to every object of the entity. */
	readonly id: string;
	/**
	 * Resolves once every action is subscribed; rejects with the reason when one is denied, or
	 * with 'Login required' or 'Origin not allowed' when the connection is refused.
	 */
	readonly ready: Promise<ListenHandle<E>>;
	/** Stop listening; the last listener of a channel unsubscribes it. */
	stop(): void;
}

/** The second argument of `here`. */
export interface PresenceInfo {
	count: number;
	/** Beyond the server's presence.max-members: no members, only the count. */
	truncated: boolean;
	/** What the others see of this user. */
	me: PresenceMember | null;
}

export interface PresenceHandlers {
	/** Everyone present, this user included; again after a reconnect. */
	here?: (members: PresenceMember[], info: PresenceInfo) => void;
	joining?: (member: PresenceMember) => void;
	leaving?: (member: PresenceMember) => void;
	/** How many are present, when it changes. */
	count?: (count: number) => void;
}

export interface PresenceOptions {
	denied?: (reason: string, detail: DeniedEvent) => void;
}

/** What presence() returns. */
export interface PresenceHandle {
	/** The members present now, this user among them; empty beyond the server's max-members. */
	readonly members: PresenceMember[];
	/** How many members are present now. */
	readonly count: number;
	/** What the others see of this user, once the list has arrived. */
	readonly me: PresenceMember | null;
	/** Resolves once the list has arrived; rejects with the reason when denied or refused. */
	readonly ready: Promise<PresenceHandle>;
	/** Leave: the user leaves the object with their last page on it. */
	stop(): void;
}

export interface ClientOptions {
	/** The application's root, such as "https://shop.example.com/app"; the page's origin by default. */
	baseUrl?: string;
	/** Log frames and state changes with console.debug. */
	debug?: boolean;
	/** 'auto' (default) falls back to Server-Sent Events when WebSocket cannot connect. */
	transport?: 'auto' | 'websocket' | 'sse';
	/**
	 * Whether the session cookie goes with the client's requests: 'same-origin' (default), or
	 * 'include' for a page served from another origin than `baseUrl`, which the application must
	 * list in notify-listen.allowed-origins; 'omit' where `getToken` authenticates.
	 */
	credentials?: 'same-origin' | 'include' | 'omit';
	/**
	 * Token mode: the bearer token (without "Bearer "), asked before each connection and again
	 * ahead of its expiry, which is then sent on the same connection. It goes in an Authorization
	 * header, never in a URL, and no CSRF token is sent. A rejection or an empty answer sets the
	 * state 'failed' with the reason 'Token unavailable', retried with the backoff.
	 */
	getToken?: (() => Promise<string>) | null;
}

/** A notify-listen client: what window.NotifyListen is. */
export interface NotifyListenClient {
	/**
	 * Listen to an object: one channel per action in `handlers`. With a contract (contract.ts),
	 * `entity` is one of its entities, the handlers' names its actions, and each handler gets its
	 * channel's message typed.
	 * @param entity entity name, for example "Order"
	 * @param id entity id
	 */
	listen<E extends EntityName>(entity: E, id: string | number, handlers: ActionHandlers<E>,
		options?: ListenOptions): ListenHandle<E>;
	/**
	 * Listen to every object of an entity: each action in `handlers` gets the notifications of every
	 * object the user may read, checked by the server for each object and each message. The
	 * handle's `id` is "*". Missed messages are not recovered: after a drop `resubscribed` tells
	 * the page to reload, and `since` is refused.
	 * @param entity entity name, for example "Order"
	 */
	listen<E extends EntityName>(entity: E, handlers: ActionHandlers<E>, options?: TypeListenOptions<E>): ListenHandle<E>;
	/**
	 * Be present on an object and see who else is. Needs WebSocket: over Server-Sent Events it
	 * stays silent.
	 */
	presence<E extends EntityName>(entity: E, id: string | number, handlers?: PresenceHandlers,
		options?: PresenceOptions): PresenceHandle;
	/**
	 * Messages addressed to this user (notifyUser), a role the user holds (notifyRole), this
	 * connection (notifyConnection) or everyone (broadcast), each only if the user may read its
	 * entity. Needs WebSocket.
	 */
	onNotice(handler: MessageHandler<NoticeMessage>): { stop(): void };
	/** A header for the page's own requests, so that the server's toOthers() skips this page; `{}` while not connected. */
	originHeaders(): Record<string, string>;
	/**
	 * Add an event listener. Every event is also dispatched on document as a CustomEvent named
	 * 'notify-listen:<event>'.
	 * @returns a function that removes it
	 */
	on<K extends keyof ClientEvents>(event: K, listener: (detail: ClientEvents[K]) => void): () => void;
	off<K extends keyof ClientEvents>(event: K, listener: (detail: ClientEvents[K]) => void): void;
	configure(options: ClientOptions): void;
	/**
	 * Close the connection (for a log out): state 'idle', and nothing reconnects until the next
	 * listen(), presence() or onNotice(). Handles and event listeners are kept and subscribe again
	 * then; stop() the handles that should not.
	 */
	disconnect(): void;
	readonly state: ConnectionState;
	/** The CONNECTED frame's connection-id (Pusher's socket_id), while connected over WebSocket. */
	readonly connectionId: string | null;
	readonly transport: Transport;
}
