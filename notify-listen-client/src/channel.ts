/** What the client knows of one channel, and what the handles on it are told. */
import type { Connection } from './connection.js';
import type { ChannelParts } from './names.js';
import type { DeniedEvent, NotifyMessage } from './types.js';

/** A listen(), presence() or onNotice() as a channel sees it. */
export interface ChannelHandle {
	/** Subscribed; `resync` when messages were missed and could not be recovered. */
	_ready(channel: Channel, resync: boolean): void;
	_denied(detail: DeniedEvent): void;
	_deliver(channel: Channel, message: NotifyMessage): void;
	/** The connection was refused for good (a definite reason): a pending `ready` rejects. */
	_refused(reason: string): void;
}

/**
 * An action on an object (`Order/42/refresh`), an object's presence, or a kind of notice. Its
 * state is named `_…`, as everything internal to the client: the served script shortens such names.
 */
export interface Channel<H extends ChannelHandle = ChannelHandle> extends ChannelParts {
	readonly _name: string;
	readonly _handles: Set<H>;
	/** The STOMP subscription or the event stream, while there is one. */
	_subscription: { unsubscribe(): void; stream?: boolean } | null;
	/** Waiting for /rest/pusher/auth. */
	_signing: boolean;
	/** Why the server refused it: then it is never asked for again. */
	_denial: string | null;
	/** Subscribed on an earlier connection: only such a channel can have missed messages. */
	_wasSubscribed: boolean;
	// The position of the last message received, sent back when subscribing again (recovery.ts).
	_lastEpoch: string | null | undefined;
	_lastSequence: number;
	/** Live messages wait in `_held` while the recovery frame is on its way. */
	_recovering: boolean;
	_held: NotifyMessage[];
	/** Over Server-Sent Events: where the stream resumes. */
	_lastEventId?: string;
}

export function newChannel<H extends ChannelHandle>(name: string, parts: ChannelParts): Channel<H> {
	return Object.assign({
		_name: name,
		_handles: new Set<H>(),
		_subscription: null,
		_signing: false,
		_denial: null,
		_wasSubscribed: false,
		_lastEpoch: null,
		_lastSequence: 0,
		_recovering: false,
		_held: []
	}, parts);
}

/** A refusal of the channel, as the 'denied' event and the handles' `denied` option tell it. */
export function deniedEvent(channel: Channel, reason: string): DeniedEvent {
	return {
		channel: channel._name,
		entity: channel.entity,
		id: channel.id,
		action: channel.action,
		reason: reason
	};
}

/**
 * What listen() and presence() return have in common: a `ready` that settles either way, and the
 * page's `denied` option.
 */
export abstract class Handle<T> implements ChannelHandle {

	/** Resolves once subscribed; rejects with the reason when denied or refused. */
	readonly ready: Promise<T>;

	private _resolve: (handle: T) => void = () => {};

	private _reject: (error: Error) => void = () => {};

	protected _stopped = false;

	constructor(protected readonly _connection: Connection,
			private readonly _options: { denied?: (reason: string, detail: DeniedEvent) => void }) {
		this.ready = new Promise<T>((resolve, reject) => {
			this._resolve = resolve;
			this._reject = reject;
		});
		// A page that only uses callbacks must not see "uncaught (in promise)" for a denial.
		this.ready.catch(() => {});
	}

	abstract _ready(channel: Channel, resync: boolean): void;

	abstract _deliver(channel: Channel, message: NotifyMessage): void;

	/** Resolves `ready` with this handle. */
	protected _settle(handle: T): void {
		this._resolve(handle);
	}

	_denied(detail: DeniedEvent): void {
		this._reject(new Error(detail.reason));
		const denied = this._options.denied;
		if (denied) {
			this._connection._events._safely((d) => denied(d.reason, d), detail);
		}
	}

	_refused(reason: string): void {
		this._reject(new Error(reason));
	}

}
