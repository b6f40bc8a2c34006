/*
 * The sample's API from another origin, as the logged-in user: the calls the app makes, whichever
 * way it logs in (cookie-session.ts, token-session.ts). The API answers CORS for this page's origin
 * (docs/client.md, "Single-page apps").
 */
import { originHeaders } from '@notify-listen/client';
import type { ClientOptions } from '@notify-listen/client';

/** GET /api/me. */
export interface Me {
	username: string;
	admin: boolean;
}

/** An order as the API shows it (the sample's OrderView). */
export interface Order {
	id: number;
	customer: string;
	status: string;
	amount: number;
	lastChangedBy: string;
	changedAt: string;
}

export abstract class Session {

	constructor(readonly api: string) {
	}

	/** Who is logged in, or null. */
	abstract me(): Promise<Me | null>;

	/** Log in; who is then logged in, or null when it failed. */
	abstract login(username: string, password: string): Promise<Me | null>;

	abstract logout(): Promise<void>;

	/** How the notify-listen client reaches the API and authenticates, for configure(). */
	abstract clientOptions(): ClientOptions;

	/** One request to the API, with what authenticates it. */
	protected abstract send(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response>;

	async orders(): Promise<Order[]> {
		const response = await this.request('GET', '/api/orders');
		return response.ok ? ((await response.json()) as Order[]) : [];
	}

	/** The order, or the API's reason why not (403), or null when there is none. */
	async order(id: string): Promise<Order | { error: string } | null> {
		const response = await this.request('GET', '/api/orders/' + encodeURIComponent(id));
		if (response.status === 403 || response.ok) {
			return (await response.json()) as Order | { error: string };
		}
		return null;
	}

	/**
	 * Save an order. originHeaders() names this page's notify-listen connection, so that a
	 * notifier's toOthers() can skip it: the header is why the API's CORS must allow
	 * X-Notify-Listen-Connection.
	 */
	async save(id: string, status: string, amount: number): Promise<Order | null> {
		const response = await this.request('PUT', '/api/orders/' + encodeURIComponent(id), { status, amount },
				originHeaders());
		return response.ok ? ((await response.json()) as Order) : null;
	}

	protected request(method: string, path: string, body?: unknown,
			extraHeaders: Record<string, string> = {}): Promise<Response> {
		const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
		if (body !== undefined) {
			headers['Content-Type'] = 'application/json';
		}
		return this.send(path, {
			method,
			headers,
			body: (body !== undefined) ? JSON.stringify(body) : undefined
		});
	}
}
