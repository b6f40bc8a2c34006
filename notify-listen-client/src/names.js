/** Channel names and the STOMP destinations they map to. */

// The same alphabet as the server's ChannelName, so a bad name fails here, not as a 400 later.
const ENTITY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACTION = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Checks an entity name and id as the server will.
 * @returns {string} the id as text
 * @throws {Error} naming the part that is wrong
 */
export function checkObject(entity, id) {
	const idText = String(id);
	if (!ENTITY.test(String(entity))) {
		throw new Error('Invalid entity name: ' + entity);
	}
	if (!ID.test(idText)) {
		throw new Error('Invalid id: ' + id);
	}
	return idText;
}

/** Whether a listen() handler key is a valid action name. */
export function isAction(action) {
	return ACTION.test(action);
}

/**
 * The STOMP destination of a channel, from the formats /rest/pusher/key announces: the server
 * owns the mapping (key, separators), so the client only fills in the parts.
 * @param {Object} settings the answer of /rest/pusher/key
 * @param {{presence?: boolean, notice?: string, entity?: string, id?: string, action?: string}} channel
 */
export function destinationOf(settings, channel) {
	if (channel.presence) {
		return settings.presenceDestinationFormat
			.replace('{entity}', channel.entity)
			.replace('{id}', channel.id);
	}
	if (channel.notice) {
		return '/user/topic/' + settings.key + '.' + channel.notice;
	}
	return settings.destinationFormat
		.replace('{entity}', channel.entity)
		.replace('{id}', channel.id)
		.replace('{action}', channel.action);
}
