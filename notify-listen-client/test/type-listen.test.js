import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, json, settle } from './fakes.js';

const EVERY_ORDER = '/topic/shop.Order.*.refresh';

function message(id, sequence) {
	return {
		entity: 'Order', id: String(id), action: 'refresh', changedAt: '2030-01-01T10:00:00Z', notifiedBy: 'bob',
		payload: {}, epoch: 'e1', sequence
	};
}

async function listeningToEveryOrder(options = {}) {
	const fakes = fakeClient();
	const received = [];
	const seen = { resubscribed: 0 };
	const handle = fakes.client.listen('Order', { refresh: (msg) => received.push(msg) },
		{ resubscribed: () => seen.resubscribed++, ...options });
	await settle();
	fakes.server.socket.connect();
	await settle();
	return { ...fakes, handle, received, seen };
}

test('listen(entity, handlers) signs Order/*/refresh and subscribes to its destination', async () => {
	const { server, handle } = await listeningToEveryOrder();
	assert.equal(await handle.ready, handle);
	assert.equal(handle.entity, 'Order');
	assert.equal(handle.id, '*');
	assert.deepEqual(server.authRequests(), ['Order/*/refresh']);
	assert.equal(server.socket.on(EVERY_ORDER).headers.auth, 'shop:sig-of-' + 'c'.repeat(32) + ':Order/*/refresh');
});

test('every order\'s message is delivered as it arrives, none dropped by sequence', async () => {
	const { server, received } = await listeningToEveryOrder();
	const channel = server.socket.on(EVERY_ORDER);
	channel.send(message(41, 7));
	channel.send(message(42, 2));
	channel.send(message(41, 8));
	assert.deepEqual(received.map((m) => [m.id, m.sequence]), [['41', 7], ['42', 2], ['41', 8]]);
});

test('after a drop it subscribes afresh, asks for nothing, and tells the page to reload', async () => {
	const { server, clock, received, seen } = await listeningToEveryOrder();
	server.socket.on(EVERY_ORDER).send(message(41, 7));
	server.socket.close();
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();
	const channel = server.socket.on(EVERY_ORDER);
	assert.equal(channel.headers['last-sequence'], undefined);
	assert.equal(seen.resubscribed, 1);
	channel.send(message(42, 1));
	assert.deepEqual(received.map((m) => m.id), ['41', '42'], 'live messages are not held for a recovery');
});

test('a listener to a type and one to an object of it are two channels', async () => {
	const { client, server } = await listeningToEveryOrder();
	const one = [];
	client.listen('Order', 41, { refresh: (msg) => one.push(msg.id) });
	await settle();
	server.socket.on('/topic/shop.Order.41.refresh').send(message(41, 1));
	assert.deepEqual(one, ['41']);
	assert.deepEqual(server.authRequests().sort(), ['Order/*/refresh', 'Order/41/refresh']);
});

test('listen(entity, handlers) refuses a bad entity, and since, before anything is sent', () => {
	const { client, server } = fakeClient();
	assert.throws(() => client.listen('Or.der', { refresh: () => {} }), /Invalid entity name/);
	assert.throws(() => client.listen('Order', {}), /at least one action/);
	assert.throws(() => client.listen('Order', { refresh: () => {} }, { since: 'e1:9' }), /since is for one object/);
	assert.equal(server.requests.length, 0);
});

test('over Server-Sent Events a listener to a type streams every order, and reload after a drop is resubscribed', async () => {
	const { client, server, clock } = fakeClient();
	client.configure({ transport: 'sse' });
	const received = [];
	let reloads = 0;
	const handle = client.listen('Order', { refresh: (msg) => received.push([msg.id, msg.sequence]) },
		{ resubscribed: () => reloads++ });
	await settle();
	assert.equal(await handle.ready, handle);
	assert.equal(new URL(server.streams[0].url).pathname + new URL(server.streams[0].url).search,
		'/notify-listen/sse/Order/*?events=refresh');
	assert.equal(server.streams[0].headers['Last-Event-ID'], undefined);
	server.streams[0].send('refresh', message(41, 7), '*');
	server.streams[0].send('refresh', message(42, 2), '*');
	server.streams[0].send('refresh', message(41, 8), '*');
	await settle();
	assert.deepEqual(received, [['41', 7], ['42', 2], ['41', 8]], 'none dropped by sequence');

	server.streams[0].end();
	await settle();
	await clock.advance(clock.pending()[0]);
	assert.equal(server.streams.length, 2);
	assert.equal(server.streams[1].headers['Last-Event-ID'], '*');
	assert.equal(reloads, 0, 'not before the server says the stream is live');
	server.streams[1].send('reload', { recovered: false, channel: 'Order/*/refresh' });
	server.streams[1].send('refresh', message(43, 1), '*');
	await settle();
	assert.equal(reloads, 1);
	assert.deepEqual(received.map((m) => m[0]), ['41', '42', '41', '43']);
});

test('over Server-Sent Events a filtered listener to a type sends its filter as the where parameter', async () => {
	const { client, server } = fakeClient();
	client.configure({ transport: 'sse' });
	const handle = client.listen('Order', { refresh: () => {} }, { where: { status: 'open', customer: 42 } });
	await settle();
	assert.equal(await handle.ready, handle);
	const url = new URL(server.streams[0].url);
	assert.equal(url.pathname, '/notify-listen/sse/Order/*');
	assert.equal(url.searchParams.get('events'), 'refresh');
	assert.equal(url.searchParams.get('where'), '{"customer":42,"status":"open"}');
});

test('where is signed with its channel in one canonical form and sent in the SUBSCRIBE', async () => {
	const { server, handle } = await listeningToEveryOrder({ where: { status: 'open', customer: 42 } });
	assert.equal(await handle.ready, handle);
	const name = 'Order/*/refresh?{"customer":42,"status":"open"}';
	assert.deepEqual(server.authRequests(), [name]);
	const subscribed = server.socket.on(EVERY_ORDER);
	assert.equal(subscribed.headers.where, '{"customer":42,"status":"open"}');
	assert.equal(subscribed.headers.auth, 'shop:sig-of-' + 'c'.repeat(32) + ':' + name);
});

test('two filters on one type are two subscriptions, each handler hearing its own', async () => {
	const { client, server, received } = await listeningToEveryOrder({ where: { customer: 42 } });
	const other = [];
	client.listen('Order', { refresh: (msg) => other.push(msg.id) }, { where: { customer: 7 } });
	client.listen('Order', { refresh: (msg) => other.push('same filter ' + msg.id) }, { where: { customer: 7 } });
	await settle();
	const subscriptions = server.socket.subscriptions.filter((s) => s.destination === EVERY_ORDER);
	assert.deepEqual(subscriptions.map((s) => s.headers.where), ['{"customer":42}', '{"customer":7}']);
	subscriptions[0].callback({ headers: {}, body: JSON.stringify(message(41, 1)) });
	subscriptions[1].callback({ headers: {}, body: JSON.stringify(message(42, 1)) });
	assert.deepEqual(received.map((m) => m.id), ['41']);
	assert.deepEqual(other, ['42', 'same filter 42']);
});

test('after a drop the filter is signed and sent again', async () => {
	const { server, clock } = await listeningToEveryOrder({ where: { customer: 42 } });
	server.socket.close();
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();
	assert.equal(server.socket.on(EVERY_ORDER).headers.where, '{"customer":42}');
	assert.deepEqual(server.authRequests(), ['Order/*/refresh?{"customer":42}', 'Order/*/refresh?{"customer":42}']);
});

test('an empty where is no filter', async () => {
	const { server } = await listeningToEveryOrder({ where: {} });
	assert.deepEqual(server.authRequests(), ['Order/*/refresh']);
	assert.equal(server.socket.on(EVERY_ORDER).headers.where, undefined);
});

test('a where the server would refuse, or one on an object, throws before anything is sent', () => {
	const { client, server } = fakeClient();
	const refresh = { refresh: () => {} };
	assert.throws(() => client.listen('Order', refresh, { where: { customer: { gt: 1 } } }),
		/where.customer must be a string, a finite number or a boolean/);
	assert.throws(() => client.listen('Order', refresh, { where: { customer: NaN } }), /finite number/);
	assert.throws(() => client.listen('Order', refresh, { where: { customer: null } }), /finite number/);
	assert.throws(() => client.listen('Order', refresh, { where: [42] }), /where must be an object/);
	assert.throws(() => client.listen('Order', refresh, { where: { status: 'x'.repeat(129) } }), /longer than 128/);
	assert.throws(() => client.listen('Order', refresh,
		{ where: Object.fromEntries('abcdefghi'.split('').map((f) => [f, 1])) }), /at most 8 fields/);
	assert.throws(() => client.listen('Order', 42, refresh, { where: { customer: 42 } }),
		/where is for a listener to every object/);
	assert.equal(server.requests.length, 0);
});

test('a refused filter is denied with the server\'s reason', async () => {
	const { client, server } = fakeClient();
	server.authAnswer = () => json(400, { error: 'Field \'owner\' is not filterable on Order/*/refresh' });
	const handle = client.listen('Order', { refresh: () => {} }, { where: { owner: 'x' } });
	await settle();
	server.socket.connect();
	await settle();
	await assert.rejects(handle.ready, { message: 'Field \'owner\' is not filterable on Order/*/refresh' });
});
