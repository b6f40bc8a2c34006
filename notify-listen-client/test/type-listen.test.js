import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, settle } from './fakes.js';

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
