/*
 * Where the application's generated contract types the client (docs/contract.md): it merges its
 * entities, actions, payloads and results into the two interfaces below. While they are empty, the
 * client accepts any entity and action and hands `unknown` over.
 */
import type { NotifyMessage } from './types.js';

/**
 * Filled in by the application's generated contract through declaration merging; empty by default.
 * One key per entity, one entry per action: `{ payload: P; result: R }`, `result: never` where no
 * `@NotifyListen` method transforms the message.
 */
export interface NotifyListenChannels {}

/**
 * Filled in by the application's generated contract: per entity, the payload fields that a listener
 * to every object of it may filter on (`where`), each with its type; empty by default.
 */
export interface NotifyListenFilters {}

/** Payloads of notices (onNotice) and of presence members' extra fields, same mechanism; empty by default. */
export interface NotifyListenNotices {}

// Whether a contract was merged in: with no keys, every name is allowed and nothing is typed.
type Empty<T> = [keyof T] extends [never] ? true : false;

/** The entities `listen` and `presence` accept: the contract's, or any name without one. */
export type EntityName = Empty<NotifyListenChannels> extends true ? string : keyof NotifyListenChannels & string;

// A homomorphic copy, so that an editor shows the message's fields rather than an intersection.
type Flat<T> = { [K in keyof T]: T[K] };

// The message of one contract entry: `result` disappears where the action has no @NotifyListen method.
type MessageOf<Entry, E extends string, A extends string> = Entry extends { payload: infer P; result: infer R }
	? Flat<Omit<NotifyMessage<P, R>, 'entity' | 'action' | 'result'> & { entity: E; action: A }
		& ([R] extends [never] ? unknown : { result?: R })>
	: NotifyMessage;

/**
 * The message an action's handler gets: with a contract, entity and action as literal types and
 * `payload` and `result` as the server declares them; without one, `NotifyMessage`.
 */
export type ChannelMessage<E extends string = string, A extends string = string> = E extends keyof NotifyListenChannels
	? A extends keyof NotifyListenChannels[E] ? MessageOf<NotifyListenChannels[E][A], E, A> : never
	: NotifyMessage;

/**
 * What `where` takes for an entity: with a contract, only the fields its actions declare filterable,
 * with their types; without one, any string, number or boolean fields.
 */
export type Where<E extends string = string> = Empty<NotifyListenChannels> extends true
	? Record<string, string | number | boolean>
	: E extends keyof NotifyListenFilters ? Partial<NotifyListenFilters[E]> : Record<string, never>;

/**
 * A handler of messages. Checked as a method, so that a handler written against a narrower
 * message (`(msg: NotifyMessage<{ status: string }>) => …`) is accepted where nothing is known.
 */
export type MessageHandler<M> = { handle(message: M): void }['handle'];

/**
 * One handler per action, each action a channel `entity/id/action`: with a contract, only the
 * entity's actions, each handler's message typed; without one, any action, any message.
 */
export type ActionHandlers<E extends string = string> = E extends keyof NotifyListenChannels
	? { [A in keyof NotifyListenChannels[E] & string]?: (message: ChannelMessage<E, A>) => void }
	: Record<string, MessageHandler<NotifyMessage>>;

/** What onNotice's handler gets: any of the notices the contract declares, or `NotifyMessage` without one. */
export type NoticeMessage = Empty<NotifyListenNotices> extends true ? NotifyMessage : {
	[E in keyof NotifyListenNotices & string]: {
		[A in keyof NotifyListenNotices[E] & string]: MessageOf<NotifyListenNotices[E][A], E, A>
	}[keyof NotifyListenNotices[E] & string]
}[keyof NotifyListenNotices & string];
