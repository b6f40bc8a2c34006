import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, json, settle } from './fakes.js';

const REFRESH = '/topic/shop.Order.3.refresh';

async function connected(setup) {
	const fakes = fakeClient();
	setup && setup(fakes.server);
	const seen = { denied: [], resubscribed: 0 };
	const handle = fakes.client.listen('Order', 3, { refresh: () => {} }, {
		denied: (reason) => seen.denied.push(reason),
		resubscribed: () => seen.resubscribed++
	});
	await settle();
	fakes.server.socket.connect('1'.repeat(32));
	await settle();
	return { ...fakes, handle, seen };
}

test('a 403 from /rest/pusher/auth denies the channel once with the server\'s reason, and it is never asked for again', async () => {
	const { client, server, clock, handle, seen, events } = await connected((server) => {
		server.authAnswer = () => json(403, { error: 'Not allowed to read Order 3' });
	});
	assert.deepEqual(seen.denied, ['Not allowed to read Order 3']);
	await assert.rejects(handle.ready, /Not allowed to read Order 3/);
	assert.deepEqual(events.filter(([n]) => n === 'denied').map(([, d]) => d), [{
		channel: 'Order/3/refresh', entity: 'Order', id: '3', action: 'refresh', reason: 'Not allowed to read Order 3'
	}]);
	assert.equal(server.socket.subscriptions.length, 0, 'no SUBSCRIBE without a signature');
	assert.equal(client.state, 'connected', 'the other channels of the page carry on');

	server.socket.close();
	await clock.advance(clock.pending()[0]);
	server.socket.connect('2'.repeat(32));
	await settle();
	assert.deepEqual(server.authRequests(), ['Order/3/refresh'], 'not signed again on the next connection');
	assert.equal(seen.denied.length, 1);

	const late = [];
	client.listen('Order', 3, { refresh: () => {} }, { denied: (reason) => late.push(reason) });
	assert.deepEqual(late, ['Not allowed to read Order 3'], 'a later listen() hears the verdict at once');
});

test('a 400 without a body is denied with the status', async () => {
	const { seen } = await connected((server) => {
		server.authAnswer = () => new Response('oops', { status: 400 });
	});
	assert.deepEqual(seen.denied, ['Refused (400)']);
});

test('401 from /rest/pusher/auth is about the session: state failed, socket dropped, channel tried again next time', async () => {
	const { client, server, clock, seen } = await connected((server) => {
		server.authAnswer = () => json(401, {});
	});
	assert.equal(client.state, 'failed');
	assert.equal(server.forced, 1);
	assert.deepEqual(seen.denied, []);

	server.authAnswer = (channel, socketId) => json(200, { auth: 'shop:' + socketId });
	await clock.advance(clock.pending()[0]);
	server.socket.connect('2'.repeat(32));
	await settle();
	assert.equal(server.socket.on(REFRESH).headers.auth, 'shop:' + '2'.repeat(32));
	assert.equal(client.state, 'connected');
});

test('a failing auth endpoint (5xx or no answer) is no verdict on the channel: reconnect after backoff and sign again', async () => {
	let calls = 0;
	const { client, server, clock, seen } = await connected((server) => {
		server.authAnswer = () => {
			calls++;
			if (calls === 1) {
				return json(503, { error: 'busy' });
			}
			if (calls === 2) {
				throw new TypeError('Failed to fetch');
			}
			return json(200, { auth: 'shop:ok' });
		};
	});
	assert.equal(server.forced, 1);
	assert.equal(client.state, 'reconnecting');
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();
	assert.equal(server.forced, 2);
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();
	assert.equal(server.socket.on(REFRESH).headers.auth, 'shop:ok');
	assert.deepEqual(seen.denied, []);
});

test('a signature that arrives after its socket closed is not used; the next connection signs again', async () => {
	let answer;
	const { server, clock } = await connected((server) => {
		server.authAnswer = () => new Promise((resolve) => {
			answer = resolve;
		});
	});
	const first = server.socket;
	first.close();
	answer(json(200, { auth: 'shop:for-the-old-connection' }));
	await settle();
	assert.equal(first.subscriptions.length, 0);

	server.authAnswer = (channel, socketId) => json(200, { auth: 'shop:' + socketId });
	await clock.advance(clock.pending()[0]);
	server.socket.connect('2'.repeat(32));
	await settle();
	assert.equal(server.socket.on(REFRESH).headers.auth, 'shop:' + '2'.repeat(32));
});

test('an ERROR frame that echoes a SUBSCRIBE\'s receipt denies that channel and reconnects at once without it', async () => {
	const { client, server, clock, seen } = await connected();
	client.listen('Order', 4, { refresh: () => {} });
	await settle();
	const receipt = server.socket.on(REFRESH).headers.receipt;

	server.socket.error({ message: 'Not allowed to read Order 3', 'receipt-id': receipt });
	server.socket.close();
	assert.deepEqual(seen.denied, ['Not allowed to read Order 3']);
	assert.deepEqual(clock.pending(), [1000], 'the backoff starts over: the server had no fault');

	await clock.advance(1000);
	server.socket.connect();
	await settle();
	assert.deepEqual(server.socket.subscriptions.map((s) => s.destination), ['/topic/shop.Order.4.refresh']);
});

test('"Login required" in an ERROR frame for a SUBSCRIBE fails the state, does not deny the channel', async () => {
	const { client, server, seen } = await connected();
	const receipt = server.socket.on(REFRESH).headers.receipt;
	server.socket.error({ message: 'Login required', 'receipt-id': receipt });
	assert.equal(client.state, 'failed');
	assert.deepEqual(seen.denied, []);
});
