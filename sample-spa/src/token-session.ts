/*
 * Logged in with bearer tokens from a token endpoint (the sample's tests give one,
 * POST /test-token; a real app has an identity provider): no cookie, so no same-site rule and no
 * CSRF token. The token lives in memory only, and every request sends it as
 * Authorization: Bearer, with credentials: 'omit' (docs/client.md, "Single-page apps").
 */
import type { ClientOptions } from '@notify-listen/client';
import { Session } from './session';
import type { Me } from './session';

/** OAuth2's token answer. */
interface TokenAnswer {
	access_token: string;
	token_type: string;
	expires_in: number;
}

// An API call renews a token with less than this left, so that it does not expire on the way.
const MINIMUM_LIFE_MS = 2000;

export class TokenSession extends Session {
	private token: string | null = null;
	private expiresAt = 0;
	// One renewal at a time: the client's and an API call's would otherwise race.
	private renewing: Promise<string> | null = null;

	constructor(api: string, readonly tokenUrl: string) {
		super(api);
	}

	async me(): Promise<Me | null> {
		if (!this.token) {
			return null;
		}
		const response = await this.request('GET', '/api/me');
		return response.ok ? ((await response.json()) as Me) : null;
	}

	async login(username: string, password: string): Promise<Me | null> {
		const response = await fetch(this.tokenUrl, {
			method: 'POST',
			credentials: 'omit',
			body: new URLSearchParams({ username, password })
		});
		if (!response.ok) {
			return null;
		}
		this.keep((await response.json()) as TokenAnswer);
		return this.me();
	}

	/** Forgets the token: nothing on the server to end. */
	async logout(): Promise<void> {
		this.token = null;
		this.renewing = null;
	}

	/**
	 * getToken: the client asks before each connection and again ahead of the expiry the server
	 * told it, so each call renews; it then sends the new token on the same connection.
	 */
	clientOptions(): ClientOptions {
		return { baseUrl: this.api, credentials: 'omit', getToken: () => this.renew() };
	}

	protected async send(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
		const token = (this.token && this.expiresAt - Date.now() > MINIMUM_LIFE_MS) ? this.token : await this.renew();
		init.headers.Authorization = 'Bearer ' + token;
		return fetch(this.api + path, { ...init, credentials: 'omit' });
	}

	/** A new token for the one still valid; rejects once logged out or expired (log in again). */
	private renew(): Promise<string> {
		if (!this.renewing) {
			this.renewing = this.fetchRenewal().finally(() => {
				this.renewing = null;
			});
		}
		return this.renewing;
	}

	private async fetchRenewal(): Promise<string> {
		const current = this.token;
		if (!current) {
			throw new Error('Logged out');
		}
		const response = await fetch(this.tokenUrl, {
			method: 'POST',
			credentials: 'omit',
			headers: { Authorization: 'Bearer ' + current }
		});
		if (!response.ok) {
			throw new Error('Token not renewed: ' + response.status);
		}
		const answer = (await response.json()) as TokenAnswer;
		// Logged out meanwhile: keep nothing.
		if (this.token !== current) {
			throw new Error('Logged out');
		}
		return this.keep(answer);
	}

	private keep(answer: TokenAnswer): string {
		this.token = answer.access_token;
		this.expiresAt = Date.now() + answer.expires_in * 1000;
		return this.token;
	}
}
