/*
 * Presence: a user is one member however many tabs they have open. After a reconnect 'here' is
 * called again with the list as it is then, rather than a string of joins and leaves.
 */
import { type Channel, Handle, newChannel } from './channel.js';
import type { Connection } from './connection.js';
import type { PresenceHandle, PresenceHandlers, PresenceInfo, PresenceMember, PresenceOptions }
	from './types.js';

/** A change of the members, as the server sends it after the list. */
interface PresenceChange {
	version: number;
	count: number;
	truncated?: boolean;
	members?: PresenceMember[];
	joining?: PresenceMember[];
	leaving?: PresenceMember[];
}

/** The list, as the server sends it first ('here'). */
interface PresenceList {
	version: number;
	count: number;
	truncated?: boolean;
	members?: PresenceMember[];
	me?: PresenceMember | null;
}

/** An object's presence: `presence-Order/42`, and the members as this page knows them. */
export interface PresenceChannel extends Channel<Presence> {
	presence: true;
	/** Null until the first list. */
	_members: Map<string, PresenceMember> | null;
	_version: number;
	_count: number;
	_truncated: boolean;
	_me: PresenceMember | null;
	/** Changes that arrived before the list they follow; null once the list is in. */
	_changes: PresenceChange[] | null;
}

export function isPresence(channel: Channel): channel is PresenceChannel {
	return channel.presence === true;
}

export function newPresenceChannel(name: string, entity: string, id: string): PresenceChannel {
	return Object.assign(newChannel<Presence>(name, { presence: true, entity: entity, id: id }), {
		presence: true as const,
		_members: null,
		_version: 0,
		_count: 0,
		_truncated: false,
		_me: null,
		_changes: []
	});
}

/**
 * 'here' is the list as the server saw it, this page's user in it; a change carries a version that
 * grows with this object's changes, so one that arrived before the list (the page's own join
 * among them), or twice, is told apart and skipped.
 */
export function presenceFrame(channel: PresenceChannel, kind: string | undefined, frame: unknown): void {
	if (kind === 'here') {
		const list = frame as PresenceList;
		const held = channel._changes || [];
		channel._changes = null;
		channel._version = list.version;
		channel._me = list.me || null;
		setMembers(channel, list.members || [], list.count, !!list.truncated);
		channel._handles.forEach((handle) => handle._ready());
		held.forEach((change) => applyChange(channel, change));
	}
	else if (channel._changes) {
		channel._changes.push(frame as PresenceChange);
	}
	else {
		applyChange(channel, frame as PresenceChange);
	}
}

function setMembers(channel: PresenceChannel, members: PresenceMember[], count: number, truncated: boolean): void {
	channel._members = new Map(members.map((member) => [member.id, member]));
	channel._truncated = truncated;
	channel._count = count;
	const list = Array.from(channel._members.values());
	channel._handles.forEach((handle) => handle._here(list, { count: count, truncated: truncated, me: channel._me }));
}

function applyChange(channel: PresenceChannel, change: PresenceChange): void {
	if (change.version <= channel._version) {
		return;
	}
	channel._version = change.version;
	if (change.truncated) {
		if (!channel._truncated) {
			setMembers(channel, [], change.count, true);
		}
	}
	else if (change.members) {
		setMembers(channel, change.members, change.count, false);
	}
	else {
		const members = channel._members || new Map<string, PresenceMember>();
		channel._members = members;
		(change.joining || []).forEach((member) => {
			if (!members.has(member.id)) {
				members.set(member.id, member);
				channel._handles.forEach((handle) => handle._call('joining', member));
			}
		});
		(change.leaving || []).forEach((member) => {
			if (members.delete(member.id)) {
				channel._handles.forEach((handle) => handle._call('leaving', member));
			}
		});
	}
	if (change.count !== channel._count) {
		channel._count = change.count;
		channel._handles.forEach((handle) => handle._call('count', change.count));
	}
}

/** What presence() returns. */
export class Presence extends Handle<PresenceHandle> implements PresenceHandle {

	constructor(connection: Connection, private readonly _channel: PresenceChannel,
			private readonly _handlers: PresenceHandlers, options: PresenceOptions) {
		super(connection, options);
		_channel._handles.add(this);
		if (_channel._denial) {
			this._denied({ channel: _channel._name, reason: _channel._denial });
		}
		else if (_channel._members && _channel._changes === null) {
			this._ready();
			this._here(this.members, { count: _channel._count, truncated: _channel._truncated, me: _channel._me });
		}
	}

	/** The members present now, this user among them; empty beyond the server's max-members. */
	get members(): PresenceMember[] {
		return this._channel._members ? Array.from(this._channel._members.values()) : [];
	}

	/** How many members are present now. */
	get count(): number {
		return this._channel._count || 0;
	}

	/** What the others see of this user, once the list has arrived. */
	get me(): PresenceMember | null {
		return this._channel._me || null;
	}

	_ready(): void {
		this._settle(this);
	}

	_deliver(): void {
	}

	_here(members: PresenceMember[], info: PresenceInfo): void {
		const here = this._handlers.here;
		if (!this._stopped && here) {
			this._connection._events._safely(() => here(members, info), undefined);
		}
	}

	_call<K extends 'joining' | 'leaving' | 'count'>(name: K, argument: Parameters<Required<PresenceHandlers>[K]>[0]): void {
		const handler = this._handlers[name] as ((argument: unknown) => void) | undefined;
		if (!this._stopped && handler) {
			this._connection._events._safely(handler, argument);
		}
	}

	/** Leave: the last handle of this page on the object unsubscribes, and the user leaves with their last page. */
	stop(): void {
		if (!this._stopped) {
			this._stopped = true;
			this._connection._release(this._channel, this);
		}
	}

}
