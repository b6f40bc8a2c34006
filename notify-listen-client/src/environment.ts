/*
 * Everything the client needs from the browser comes in through an Environment, so that the unit
 * tests can run it under Node with a fake server, fake timers and a fake STOMP client.
 */
import type { Client, IFrame, StompConfig } from '@stomp/stompjs';

/** The part of stompjs' Client the client uses. */
export type StompSocket = Pick<Client, 'activate' | 'deactivate' | 'forceDisconnect' | 'subscribe' | 'publish'
	| 'watchForReceipt' | 'connected' | 'onConnect' | 'onStompError' | 'onWebSocketClose' | 'onHeartbeatReceived'>;

export type { IFrame };

/** What the client takes from the page it runs in. */
export interface Environment {
	window: EventTarget & { location: { origin: string; href: string } };
	document: EventTarget & { visibilityState: string };
	fetch: (url: string, init: RequestInit) => Promise<Response>;
	/** stompjs' Client, or a stand-in. */
	StompClient: new (config: StompConfig) => StompSocket;
	CustomEvent: new (type: string, init: { detail: unknown }) => Event;
	/** Returns what clearTimeout takes. */
	setTimeout: (fn: () => void, ms: number) => unknown;
	clearTimeout: (id: unknown) => void;
	random: () => number;
	now: () => number;
	console?: Pick<Console, 'debug' | 'error'>;
	/** The application's root; the page's origin when absent. */
	baseUrl?: string;
}
