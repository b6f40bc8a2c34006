// The typing of '@notify-listen/client' that the contract augments (CONTRACT-TYPES.md): what
// usage.ts needs of it, until tsconfig.json resolves the module to the built package.

export interface NotifyMessage<P = Record<string, unknown>, R = unknown> {
	entity: string;
	id: string;
	action: string;
	changedAt: string;
	notifiedBy: string;
	payload: P;
	result?: R;
	epoch?: string | null;
	sequence?: number;
}

/** Filled in by the application's generated contract through declaration merging. */
export interface NotifyListenChannels {}

/** Payloads of notices, filled in the same way. */
export interface NotifyListenNotices {}

type Entry<E extends keyof NotifyListenChannels, A extends keyof NotifyListenChannels[E]> =
	NotifyListenChannels[E][A] extends { payload: infer P; result: infer R } ? { payload: P; result: R } : never;

export type ChannelMessage<E extends keyof NotifyListenChannels, A extends keyof NotifyListenChannels[E]> = Omit<
	NotifyMessage<Entry<E, A>['payload']>,
	'entity' | 'action' | 'result'
> & { entity: E; action: A } & ([Entry<E, A>['result']] extends [never] ? {} : { result?: Entry<E, A>['result'] });

export type ActionHandlers<E extends keyof NotifyListenChannels> = {
	[A in keyof NotifyListenChannels[E]]?: (message: ChannelMessage<E, A>) => void;
};

export interface ListenHandle {
	unsubscribe(): void;
}

export interface NotifyListenClient {
	listen<E extends keyof NotifyListenChannels>(
		entity: E,
		id: string | number,
		handlers: ActionHandlers<E>,
	): ListenHandle;
}

export declare function createClient(): NotifyListenClient;
