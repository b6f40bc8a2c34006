/**
 * A listener to a type's `where`: checked here as the server will check it, and written in one
 * canonical form (keys sorted), which names its channel, goes to /rest/pusher/auth after the
 * channel's name and travels in the SUBSCRIBE's `where` header.
 */

/** The server's limit on the fields of one filter. */
const MAX_FIELDS = 8;

/** The server's limit on a string value's length. */
const MAX_VALUE_LENGTH = 128;

/**
 * Checks a `where` option before anything is sent.
 * @throws Error naming what is wrong
 */
export function checkWhere(where: unknown): void {
	if (where === undefined) {
		return;
	}
	if (where === null || typeof where !== 'object' || Array.isArray(where)) {
		throw new Error('where must be an object of fields, such as { customer: 42 }');
	}
	const fields = Object.keys(where);
	if (fields.length > MAX_FIELDS) {
		throw new Error('where takes at most ' + MAX_FIELDS + ' fields');
	}
	fields.forEach((field) => {
		const value = (where as Record<string, unknown>)[field];
		const scalar = typeof value === 'string' || typeof value === 'boolean'
			|| (typeof value === 'number' && Number.isFinite(value));
		if (!scalar) {
			throw new Error('where.' + field + ' must be a string, a finite number or a boolean');
		}
		if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH) {
			throw new Error('where.' + field + ' is longer than ' + MAX_VALUE_LENGTH + ' characters');
		}
	});
}

/** The filter as canonical JSON, or undefined for none (no `where`, or no field in it). */
export function canonicalWhere(where: Record<string, unknown> | undefined): string | undefined {
	const fields = where ? Object.keys(where).sort() : [];
	if (fields.length === 0) {
		return undefined;
	}
	const sorted: Record<string, unknown> = {};
	fields.forEach((field) => {
		sorted[field] = (where as Record<string, unknown>)[field];
	});
	return JSON.stringify(sorted);
}
