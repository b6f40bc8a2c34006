/*
 * Server-Sent Events, where WebSocket cannot connect: one streaming fetch per channel, read as it
 * arrives, so that it can carry the bearer token and its failures go through the same backoff as
 * the socket's. The server checks login, role and access as for SUBSCRIBE, names events by action,
 * and resumes from Last-Event-ID. A type's stream (id '*') has no position: the server answers its
 * Last-Event-ID with 'reload' once the stream is live, which is 'resubscribed' as for a channel it
 * cannot recover; its filter goes as the 'where' parameter. Notices and presence need WebSocket.
 */
import type { Channel } from './channel.js';
import { type Connection, isLoginRefusal, readJson } from './connection.js';
import { NETWORK_ERROR } from './reasons.js';
import { accept } from './recovery.js';
import type { NotifyMessage } from './types.js';

export class EventStreams {

	constructor(private readonly _connection: Connection) {
	}

	async _subscribe(gen: number, channel: Channel): Promise<void> {
		const connection = this._connection;
		if (channel._denial || channel._subscription || channel._signing || channel.notice || channel.presence) {
			return;
		}
		const abort = new AbortController();
		const subscription = { stream: true, unsubscribe: () => abort.abort() };
		channel._subscription = subscription;
		const current = () => gen === connection._generation && channel._subscription === subscription;
		const headers: Record<string, string> = { Accept: 'text/event-stream' };
		if (channel._lastEventId) {
			headers['Last-Event-ID'] = channel._lastEventId;
		}
		try {
			const response = await connection._request('/notify-listen/sse/' + encodeURIComponent(channel.entity as string)
				+ '/' + encodeURIComponent(channel.id as string) + '?events=' + encodeURIComponent(channel.action as string)
				+ (channel.where ? '&where=' + encodeURIComponent(channel.where) : ''),
			{ cache: 'no-store', headers: headers, signal: abort.signal });
			if (!current()) {
				return;
			}
			if (isLoginRefusal(response)) {
				this._ended(gen, connection._loginReason(response));
				return;
			}
			if (response.status === 400 || response.status === 403) {
				const body = await readJson(response);
				channel._subscription = null;
				connection._deny(channel, (body.error as string) || ('Refused (' + response.status + ')'));
				return;
			}
			if (!response.ok || !response.body) {
				this._ended(gen, 'Server error (' + response.status + ')');
				return;
			}
			connection._opened();
			// With Last-Event-ID the server replays what was missed, or sends 'reload' when it cannot.
			connection._subscribed(channel, !channel._lastEventId);
			await this._read(response.body.getReader(), channel, current);
		}
		catch (ex) {
			// Aborted by the client, or the network: the latter is handled below.
		}
		if (current()) {
			this._ended(gen, NETWORK_ERROR);
		}
	}

	/** One stream that ends takes the others with it: they start over together, after the backoff. */
	private _ended(gen: number, why: string): void {
		const connection = this._connection;
		if (gen === connection._generation) {
			connection._closeConnection();
			connection._retry(why);
		}
	}

	private async _read(reader: ReadableStreamDefaultReader<Uint8Array>, channel: Channel,
			current: () => boolean): Promise<void> {
		const decoder = new TextDecoder();
		let buffer = '';
		for (;;) {
			const chunk = await reader.read();
			if (chunk.done || !current()) {
				return;
			}
			this._connection._lastServerActivity = this._connection._environment.now();
			buffer = (buffer + decoder.decode(chunk.value, { stream: true })).replace(/\r\n/g, '\n');
			let end;
			while ((end = buffer.indexOf('\n\n')) >= 0) {
				this._event(channel, buffer.slice(0, end));
				buffer = buffer.slice(end + 2);
			}
		}
	}

	private _event(channel: Channel, block: string): void {
		const fields: { event: string; data: string[]; id?: string } = { event: 'message', data: [] };
		block.split('\n').forEach((line) => {
			const colon = line.indexOf(':');
			const name = (colon < 0) ? line : line.slice(0, colon);
			const value = (colon < 0) ? '' : line.slice(colon + 1).replace(/^ /, '');
			if (name === 'data') {
				fields.data.push(value);
			}
			else if (name === 'event' || name === 'id') {
				fields[name] = value;
			}
		});
		if (fields.id !== undefined) {
			channel._lastEventId = fields.id;
		}
		if (fields.event === 'reload') {
			channel._handles.forEach((handle) => handle._ready(channel, true));
		}
		else if (fields.event === channel.action && fields.data.length > 0) {
			try {
				accept(channel, JSON.parse(fields.data.join('\n')) as NotifyMessage, this._connection._events);
			}
			catch (ex) {
				this._connection._log('unreadable event on', channel._name);
			}
		}
	}

}
