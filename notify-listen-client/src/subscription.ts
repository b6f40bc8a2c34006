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

	constructor(connection: Connection, readonly entity: E, readonly id: string,
			private readonly _handlers: Record<string, Handler>, private readonly _listenOptions: TypeListenOptions) {
		super(connection, _listenOptions);
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
		const handler = this._handlers[channel.action as string];
		if (!this._stopped && handler) {
			this._connection._events._safely(handler, message);
		}
	}

	/** Stop listening; the last listener of a channel unsubscribes it. */
	stop(): void {
		if (!this._stopped) {
			this._stopped = true;
			this._channels.forEach((channel) => this._connection._release(channel, this));
		}
	}

}
