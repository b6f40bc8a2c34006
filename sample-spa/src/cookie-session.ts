/*
 * Logged in with the API's session cookie. Every request sends the cookie (credentials:
 * 'include'), which the browser does only because the page and the API are the same site
 * (docs/client.md, "Single-page apps").
 */
import type { ClientOptions } from '@notify-listen/client';
import { Session } from './session';
import type { Me } from './session';

/** The CSRF token the API wants on every POST and PUT: Spring Security's, per session. */
interface Csrf {
	headerName: string;
	token: string;
}

export class CookieSession extends Session {
	private csrf: Csrf | null = null;

	/** Who is logged in, or null; keeps the session's CSRF token for the writes. */
	async me(): Promise<Me | null> {
		const response = await this.request('GET', '/api/me');
		if (!response.ok) {
			this.csrf = null;
			return null;
		}
		const me = (await response.json()) as Me & { csrf: Csrf };
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
		await this.send('/logout', { method: 'POST', headers: {}, redirect: 'manual' });
		this.csrf = null;
	}

	/**
	 * 'include': the session cookie goes with the client's requests to another origin, which the
	 * API lists in notify-listen.allowed-origins.
	 */
	clientOptions(): ClientOptions {
		return { baseUrl: this.api, credentials: 'include' };
	}

	protected send(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
		if (init.method !== 'GET' && this.csrf) {
			init.headers[this.csrf.headerName] = this.csrf.token;
		}
		return fetch(this.api + path, { redirect: 'follow', ...init, credentials: 'include' });
	}
}
