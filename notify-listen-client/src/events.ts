/** The client's events (listeners added with on(), and the same events on document) and its debug log. */
import type { Environment } from './environment.js';
import type { ClientEvents } from './types.js';

type Listener = (detail: never) => void;

export class Emitter {

	private readonly _listeners = new Map<string, Listener[]>();

	constructor(private readonly _environment: Environment, private readonly _config: { debug: boolean }) {
	}

	_on(event: string, fn: Listener): void {
		const fns = this._listeners.get(event);
		if (fns) {
			fns.push(fn);
		}
		else {
			this._listeners.set(event, [fn]);
		}
	}

	_off(event: string, fn: Listener): void {
		const fns = this._listeners.get(event) || [];
		const at = fns.indexOf(fn);
		if (at >= 0) {
			fns.splice(at, 1);
		}
	}

	/** Tells the listeners of `event`, each on its own, then document as 'notify-listen:<event>'. */
	_emit<K extends keyof ClientEvents>(event: K, detail: ClientEvents[K]): void {
		const fns = this._listeners.get(event);
		if (fns) {
			fns.slice().forEach((fn) => this._safely(fn as (detail: unknown) => void, detail));
		}
		this._environment.document.dispatchEvent(new this._environment.CustomEvent('notify-listen:' + event,
			{ detail: detail }));
	}

	_log(...parts: unknown[]): void {
		const console = this._environment.console;
		if (this._config.debug && console) {
			// stompjs' frames hold the Authorization header: the token must not reach the console.
			console.debug('[notify-listen]', ...parts.map((part) => (typeof part === 'string')
				? part.replace(/(authorization:\s*bearer\s+)\S+/gi, '$1[hidden]') : part));
		}
	}

	/** Calls a page's function: one broken page handler must not keep the others, or the client, from running. */
	_safely<T>(fn: (argument: T) => void, argument: T): void {
		try {
			fn(argument);
		}
		catch (ex) {
			if (this._environment.console) {
				this._environment.console.error('[notify-listen] handler failed', ex);
			}
		}
	}

}
