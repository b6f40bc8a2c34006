/** Channel names and the STOMP destinations they map to. */

// The same alphabet as the server's ChannelName, so a bad name fails here, not as a 400 later.
const ENTITY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACTION = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The destination formats of /rest/pusher/key, and the rest of its answer the client reads. */
export interface Settings {
	key: string;
	endpoint: string;
	authEndpoint: string;
	/** `/topic/<key>.{entity}.{id}.{action}` */
	destinationFormat: string;
	/** `/topic/<key>.presence.{entity}.{id}.members` */
	presenceDestinationFormat: string;
	heartbeatIncoming: number;
	heartbeatOutgoing: number;
	/** Absent in token mode and where CSRF protection is off. */
	csrf?: { headerName: string; token: string } | null;
}

/** What a destination is made of: an action on an object, an object's presence, or a notice kind. */
export interface ChannelParts {
	presence?: boolean;
	notice?: string;
	entity?: string;
	id?: string;
	action?: string;
	/** A listener to a type's filter, as canonical JSON (filters.ts). */
	where?: string;
}

/** The id that stands for every object of an entity in a type channel's name and destination. */
export const ANY_ID = '*';

/** Whether a channel hears every object of its entity rather than one. */
export function isType(channel: ChannelParts): boolean {
	return channel.id === ANY_ID;
}

/**
 * Checks an entity name as the server will.
 * @throws Error naming it
 */
export function checkEntity(entity: unknown): void {
	if (!ENTITY.test(String(entity))) {
		throw new Error('Invalid entity name: ' + entity);
	}
}

/**
 * Checks an entity name and id as the server will.
 * @returns the id as text
 * @throws Error naming the part that is wrong
 */
export function checkObject(entity: unknown, id: unknown): string {
	const idText = String(id);
	checkEntity(entity);
	if (!ID.test(idText)) {
		throw new Error('Invalid id: ' + id);
	}
	return idText;
}

/** Whether a listen() handler key is a valid action name. */
export function isAction(action: string): boolean {
	return ACTION.test(action);
}

/**
 * The STOMP destination of a channel, from the formats /rest/pusher/key announces: the server
 * owns the mapping (key, separators), so the client only fills in the parts.
 */
export function destinationOf(settings: Settings, channel: ChannelParts): string {
	if (channel.presence) {
		return settings.presenceDestinationFormat
			.replace('{entity}', channel.entity as string)
			.replace('{id}', channel.id as string);
	}
	if (channel.notice) {
		return '/user/topic/' + settings.key + '.' + channel.notice;
	}
	return settings.destinationFormat
		.replace('{entity}', channel.entity as string)
		.replace('{id}', channel.id as string)
		.replace('{action}', channel.action as string);
}
