/** What listen() returns: one object's actions, each a channel shared with the page's other listen() calls. */
import { type Channel, Handle, deniedEvent, newChannel } from './channel.js';
import type { Connection } from './connection.js';
import { canonicalWhere } from './filters.js';
import { startFrom } from './recovery.js';
import type { ListenHandle, NotifyMessage, TypeListenOptions } from './types.js';

/** A handler as the client calls it, whatever message type the page declared. */
export type Handler = (message: NotifyMessage) => void;

export class Subscription<E extends string = string> extends Handle<ListenHandle<E>> implements ListenHandle<E> {

	private readonly _channels: Channel[];

	/** The channels not subscribed yet: `ready` resolves when none is left. */
	private readonly _pending: Set<string>;

	/** The connection on which `resubscribed` was last called: once per connection. */
	private _resyncedIn = -1;

	/** Per action, the handler's calls held back by the `throttle` option. */
	private readonly _throttles = new Map<string, Throttle>();

	constructor(connection: Connection, readonly entity: E, readonly id: string,
			private readonly _handlers: Record<string, Handler>, private readonly _listenOptions: TypeListenOptions) {
		super(connection, _listenOptions);
		const throttle = _listenOptions.throttle;
		if (throttle !== undefined && !(typeof throttle === 'number' && throttle >= 0 && Number.isFinite(throttle))) {
			throw new Error('throttle must be a number of milliseconds, not ' + String(throttle));
		}
		const where = canonicalWhere(_listenOptions.where);
		this._channels = Object.keys(_handlers).map((action) => {
			const parts = { entity: entity, id: id, action: action, where: where };
			// Two filters are two channels, each signed for its own: the server checks it at SUBSCRIBE.
			return connection._channel(entity + '/' + id + '/' + action + (where ? '?' + where : ''),
				(name) => startFrom(newChannel(name, parts), _listenOptions.since));
		});
		this._pending = new Set(this._channels.map((channel) => channel._name));
		this._channels.forEach((channel) => {
			channel._handles.add(this);
			if (channel._subscription) {
				this._ready(channel, false);
			}
			else if (channel._denial) {
				this._denied(deniedEvent(channel, channel._denial));
			}
		});
	}

	_ready(channel: Channel, resync: boolean): void {
		if (this._pending.delete(channel._name) && this._pending.size === 0) {
			this._settle(this);
		}
		// Once per handle per connection, not once per action: the first action speaks for the
		// gap, and any action whose missed messages could not be recovered.
		const resubscribed = this._listenOptions.resubscribed;
		const generation = this._connection._generation;
		if (resync && resubscribed && this._resyncedIn !== generation
				&& (channel === this._channels[0] || channel._lastEpoch != null)) {
			this._resyncedIn = generation;
			this._connection._events._safely(resubscribed, this);
		}
	}

	_deliver(channel: Channel, message: NotifyMessage): void {
		const action = channel.action as string;
		const handler = this._handlers[action];
		if (this._stopped || !handler) {
			return;
		}
		const interval = this._listenOptions.throttle;
		if (!interval || interval <= 0) {
			this._connection._events._safely(handler, message);
			return;
		}
		let throttle = this._throttles.get(action);
		if (!throttle) {
			throttle = new Throttle(this._connection, interval, handler);
			this._throttles.set(action, throttle);
		}
		throttle._offer(message);
	}

	/** Stop listening; the last listener of a channel unsubscribes it. */
	stop(): void {
		if (!this._stopped) {
			this._stopped = true;
			this._throttles.forEach((throttle) => throttle._cancel());
			this._channels.forEach((channel) => this._connection._release(channel, this));
		}
	}

}

/**
 * One action's handler, run at most once per interval: the first message at once, the latest of
 * those that arrive meanwhile at the interval's end, counting the ones it replaced in `folded`. Why
 * the last one wins: a handler refreshes what the page shows, and the latest message says the most.
 */
class Throttle {

	private _lastRun = -Infinity;

	private _timer: unknown = null;

	private _pending: NotifyMessage | null = null;

	/** Messages the pending one replaced, with those the server had folded into them. */
	private _folded = 0;

	constructor(private readonly _connection: Connection, private readonly _interval: number,
			private readonly _handler: Handler) {
	}

	_offer(message: NotifyMessage): void {
		const now = this._connection._environment.now();
		if (this._timer === null && now - this._lastRun >= this._interval) {
			this._run(message, now);
			return;
		}
		if (this._pending) {
			this._folded += 1 + (this._pending.folded || 0);
		}
		this._pending = message;
		if (this._timer === null) {
			this._timer = this._connection._environment.setTimeout(() => this._trailing(),
				this._lastRun + this._interval - now);
		}
	}

	_cancel(): void {
		if (this._timer !== null) {
			this._connection._environment.clearTimeout(this._timer);
			this._timer = null;
		}
		this._pending = null;
	}

	private _trailing(): void {
		this._timer = null;
		const message = this._pending;
		if (!message) {
			return;
		}
		const folded = this._folded + (message.folded || 0);
		this._pending = null;
		this._folded = 0;
		// A copy: other listen() calls on the channel share the message.
		this._run(folded > 0 ? Object.assign({}, message, { folded: folded }) : message,
			this._connection._environment.now());
	}

	private _run(message: NotifyMessage, now: number): void {
		this._lastRun = now;
		this._connection._events._safely(this._handler, message);
	}

}
