/*
 * Recovery: every message carries its channel's epoch and sequence. When the client resubscribes
 * a channel on which it had received something, it sends last-epoch and last-sequence; the server
 * answers with one recovery frame holding the messages missed meanwhile, which are delivered in
 * order before any live message (live ones are held until then, and duplicates are dropped by
 * sequence). If the server no longer has them (too many, too old, or a single node's restart), the
 * recovery frame says so and 'resubscribed' tells the page to reload what it shows; so it does for
 * a channel on which nothing had been received yet. A channel subscribed for the first time (a
 * new listen(), even on a new connection) missed nothing and gets no 'resubscribed', unless the
 * page gave listen() the position of its data (`since`): then its first SUBSCRIBE recovers from
 * there, as after a drop. A type channel (`listen(entity, handlers)`) keeps no position: after a
 * drop it is subscribed afresh and 'resubscribed' tells the page to reload.
 */
import type { Channel } from './channel.js';
import type { Emitter } from './events.js';
import { isType } from './names.js';
import type { NotifyMessage } from './types.js';

/** The server's recovery frame. */
interface Recovery {
	recovered?: boolean;
	messages?: NotifyMessage[];
}

/**
 * The server's answer to last-epoch/last-sequence: the missed messages in order, or word that too
 * much was missed (or the server restarted) and the page should reload what it shows.
 */
export function recovered(channel: Channel, recovery: unknown, events: Emitter): void {
	const answer = recovery as Recovery;
	const held = channel._held;
	channel._recovering = false;
	channel._held = [];
	if (answer.recovered) {
		(answer.messages || []).forEach((message) => accept(channel, message, events));
	}
	else {
		events._log('could not recover', channel._name);
		channel._handles.forEach((handle) => handle._ready(channel, true));
	}
	held.forEach((message) => accept(channel, message, events));
}

/**
 * A new channel starts where the page's data stands (`since`, `epoch:sequence`), as if it had
 * received the message there: its first SUBSCRIBE asks for everything after it. Text that is not a
 * position is ignored.
 */
export function startFrom(channel: Channel, since: string | undefined): Channel {
	const colon = since ? since.lastIndexOf(':') : -1;
	const sequence = (since && colon > 0) ? Number(since.slice(colon + 1)) : NaN;
	if (since && Number.isSafeInteger(sequence) && sequence >= 0) {
		channel._lastEpoch = since.slice(0, colon);
		channel._lastSequence = sequence;
		channel._lastEventId = since;
	}
	return channel;
}

/** Delivers a message once: a replayed one may also arrive live, and both carry the same number. */
export function accept(channel: Channel, message: NotifyMessage, events: Emitter): void {
	const sequence = message.sequence || 0;
	// A type channel is never recovered, so none of its messages can arrive twice; and its position
	// must stay unset, for the server has no history of a type to recover from.
	if (sequence > 0 && !isType(channel)) {
		if (message.epoch === channel._lastEpoch && sequence <= channel._lastSequence) {
			return;
		}
		channel._lastEpoch = message.epoch;
		channel._lastSequence = sequence;
	}
	channel._handles.forEach((handle) => handle._deliver(channel, message));
	events._emit('message', message);
}
