/*
 * The sample's API from another origin, logged in with its session cookie. Every request sends
 * the cookie (credentials: 'include'), which the browser does only because the page and the API
 * are the same site; the API answers CORS for this page's origin (docs/client.md, "Single-page
 * apps").
 */
import { originHeaders } from '@notify-listen/client';

/** The CSRF token the API wants on every POST and PUT: Spring Security's, per session. */
export interface Csrf {
	headerName: string;
	token: string;
}

/** GET /api/me. */
export interface Me {
	username: string;
	admin: boolean;
	csrf: Csrf;
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

export class Session {
	private csrf: Csrf | null = null;

	constructor(readonly api: string) {
	}

	/** Who is logged in, or null; keeps the session's CSRF token for the writes. */
	async me(): Promise<Me | null> {
		const response = await this.request('GET', '/api/me');
		if (!response.ok) {
			this.csrf = null;
			return null;
		}
		const me = (await response.json()) as Me;
		this.csrf = me.csrf;
		return me;
	}

	/**
	 * Spring Security's form login, from script: the anonymous session's CSRF token first, then
	 * the form POST. Its answer is a redirect either way (to "/" or to "/login?error"), which a
	 * cross-origin script cannot read, so /api/me says whether it worked; the login also gave the
	 * session a new id and a new CSRF token, which /api/me returns.
	 */
	async login(username: string, password: string): Promise<Me | null> {
		const csrf = (await (await this.request('GET', '/api/csrf')).json()) as Csrf;
		await fetch(this.api + '/login', {
			method: 'POST',
			credentials: 'include',
			redirect: 'manual',
			headers: { [csrf.headerName]: csrf.token },
			body: new URLSearchParams({ username, password })
		});
		return this.me();
	}

	async logout(): Promise<void> {
		await this.request('POST', '/logout', undefined, 'manual');
		this.csrf = null;
	}

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
				'follow', originHeaders());
		return response.ok ? ((await response.json()) as Order) : null;
	}

	private request(method: string, path: string, body?: unknown, redirect: RequestRedirect = 'follow',
			extraHeaders: Record<string, string> = {}): Promise<Response> {
		const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
		if (method !== 'GET' && this.csrf) {
			headers[this.csrf.headerName] = this.csrf.token;
		}
		if (body !== undefined) {
			headers['Content-Type'] = 'application/json';
		}
		return fetch(this.api + path, {
			method,
			headers,
			credentials: 'include',
			redirect,
			body: (body !== undefined) ? JSON.stringify(body) : undefined
		});
	}
}
