import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, settle } from './fakes.js';

const REFRESH = '/topic/shop.Order.42.refresh';

function message(sequence, extra = {}) {
	return {
		entity: 'Order', id: '42', action: 'refresh', changedAt: '2030-01-01T10:00:00Z', notifiedBy: 'bob',
		payload: { status: 'paid' }, epoch: 'e1', sequence, ...extra
	};
}

async function listening() {
	const fakes = fakeClient();
	const received = [];
	const seen = { resubscribed: 0 };
	const handle = fakes.client.listen('Order', 42, {
		refresh: (msg) => received.push(msg),
		deleted: (msg) => received.push(msg)
	}, { resubscribed: () => seen.resubscribed++ });
	await settle();
	fakes.server.socket.connect();
	await settle();
	return { ...fakes, handle, received, seen };
}

test('each action\'s handler gets the parsed message of its own channel', async () => {
	const { server, received, events, handle } = await listening();
	await handle.ready;
	server.socket.on(REFRESH).send(message(1, { result: { total: 10 } }));
	server.socket.on('/topic/shop.Order.42.deleted').send(message(2, { action: 'deleted', payload: {} }));
	assert.deepEqual(received.map((m) => [m.action, m.sequence]), [['refresh', 1], ['deleted', 2]]);
	assert.deepEqual(received[0], message(1, { result: { total: 10 } }));
	assert.equal(events.filter(([n]) => n === 'message').length, 2, "every message is also a 'message' event");
});

test('a body that is not JSON is skipped, and the next message still arrives', async () => {
	const { server, received } = await listening();
	server.socket.on(REFRESH).send('{"entity": "Order", ');
	server.socket.on(REFRESH).send(message(5));
	assert.deepEqual(received.map((m) => m.sequence), [5]);
});

test('a message whose sequence was already delivered is dropped; unnumbered ones always pass', async () => {
	const { server, received } = await listening();
	const channel = server.socket.on(REFRESH);
	channel.send(message(7));
	channel.send(message(7));
	channel.send(message(6));
	channel.send(message(0, { sequence: 0, epoch: null }));
	channel.send(message(0, { sequence: 0, epoch: null }));
	channel.send(message(3, { epoch: 'e2' }));
	assert.deepEqual(received.map((m) => [m.epoch, m.sequence]), [['e1', 7], [null, 0], [null, 0], ['e2', 3]]);
});

test('a handler that throws does not stop the other handlers of the channel', async () => {
	const { client, server, received, errors } = await listening();
	client.listen('Order', 42, { refresh: () => {
		throw new Error('page bug');
	} });
	server.socket.on(REFRESH).send(message(1));
	assert.equal(received.length, 1);
	assert.equal(errors.length, 1);
});

test('after a drop it asks for what was missed, and delivers it before live messages that overtook it, once each', async () => {
	const { server, clock, received, seen } = await listening();
	server.socket.on(REFRESH).send(message(10));
	server.socket.close();
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();

	const channel = server.socket.on(REFRESH);
	assert.equal(channel.headers['last-epoch'], 'e1');
	assert.equal(channel.headers['last-sequence'], '10');
	assert.equal(server.socket.on('/topic/shop.Order.42.deleted').headers['last-sequence'], undefined,
		'nothing had arrived on deleted: nothing to recover there');
	assert.equal(seen.resubscribed, 0, 'refresh recovers, so no reload');

	channel.send(message(13));
	assert.deepEqual(received.map((m) => m.sequence), [10], 'live messages wait for the recovery frame');
	channel.send({ recovered: true, epoch: 'e1', sequence: 12, messages: [message(11), message(12), message(10)] },
		{ 'notify-listen-recovery': '' });
	assert.deepEqual(received.map((m) => m.sequence), [10, 11, 12, 13]);
	assert.equal(seen.resubscribed, 0);
});

test('when the server cannot recover, the page is told to reload with resubscribed', async () => {
	const { client, server, clock, received } = await listening();
	const reloads = [];
	client.listen('Order', 42, { refresh: () => {} }, { resubscribed: () => reloads.push('reload') });
	server.socket.on(REFRESH).send(message(10));
	server.socket.close();
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();
	assert.deepEqual(reloads, []);
	const channel = server.socket.on(REFRESH);
	channel.send(message(3, { epoch: 'e2' }));
	channel.send({ recovered: false }, { 'notify-listen-recovery': '' });
	assert.deepEqual(reloads, ['reload']);
	assert.deepEqual(received.map((m) => [m.epoch, m.sequence]), [['e1', 10], ['e2', 3]], 'the held live one still arrives');
});

test('onNotice subscribes to the user\'s own and the shared notices, unsigned, and stop() unsubscribes both', async () => {
	const { client, server } = await listening();
	const notices = [];
	const notice = client.onNotice((msg) => notices.push(msg.action));
	await settle();
	const mine = server.socket.on('/user/topic/shop.notify');
	const shared = server.socket.on('/user/topic/shop.notices');
	assert.equal(mine.headers.auth, undefined);
	assert.deepEqual(server.authRequests().sort(), ['Order/42/deleted', 'Order/42/refresh']);
	mine.send(message(0, { action: 'assigned', sequence: 0 }));
	shared.send(message(0, { action: 'maintenance', sequence: 0 }));
	assert.deepEqual(notices, ['assigned', 'maintenance']);
	notice.stop();
	assert.equal(server.socket.subscriptions.filter((s) => s.destination.startsWith('/user/') && !s.unsubscribed).length, 0);
	assert.throws(() => client.onNotice('not a function'), /Give a function/);
});

test('listen() refuses what the server would refuse, before anything is sent', () => {
	const { client, server } = fakeClient();
	assert.throws(() => client.listen('Order', 42, {}), /at least one action/);
	assert.throws(() => client.listen('Order', 42, { 'bad.action': () => {} }), /Invalid action handler: bad\.action/);
	assert.throws(() => client.listen('Order', 42, { refresh: 'not a function' }), /Invalid action handler: refresh/);
	assert.throws(() => client.listen('Order', '4/2', { refresh: () => {} }), /Invalid id/);
	assert.equal(server.requests.length, 0);
	assert.equal(client.state, 'idle');
});

test('since: the first SUBSCRIBE asks for what was notified after the page\'s data, and delivers it once', async () => {
	const { client, server } = fakeClient();
	const received = [];
	const reloads = [];
	client.listen('Order', 42, { refresh: (msg) => received.push(msg) },
		{ since: 'e1:9', resubscribed: () => reloads.push('reload') });
	await settle();
	server.socket.connect();
	await settle();

	const channel = server.socket.on(REFRESH);
	assert.equal(channel.headers['last-epoch'], 'e1');
	assert.equal(channel.headers['last-sequence'], '9');
	channel.send(message(12));
	assert.deepEqual(received, [], 'live messages wait for the recovery frame');
	channel.send({ recovered: true, epoch: 'e1', sequence: 11, messages: [message(11)] },
		{ 'notify-listen-recovery': '' });
	channel.send(message(9));
	assert.deepEqual(received.map((m) => m.sequence), [11, 12], 'the change saved before the subscription arrives');
	assert.deepEqual(reloads, []);
});

test('since: a position from before the first notification (sequence 0) is sent too', async () => {
	const { client, server } = fakeClient();
	client.listen('Order', 42, { refresh: () => {} }, { since: 'notify-listen.shop:0' });
	await settle();
	server.socket.connect();
	await settle();

	assert.equal(server.socket.on(REFRESH).headers['last-epoch'], 'notify-listen.shop');
	assert.equal(server.socket.on(REFRESH).headers['last-sequence'], '0');
});

test('since: when the server no longer has what followed, resubscribed tells the page to reload', async () => {
	const { client, server } = fakeClient();
	const reloads = [];
	client.listen('Order', 42, { refresh: () => {}, deleted: () => {} },
		{ since: 'e0:9', resubscribed: () => reloads.push('reload') });
	await settle();
	server.socket.connect();
	await settle();

	server.socket.on(REFRESH).send({ recovered: false }, { 'notify-listen-recovery': '' });
	server.socket.on('/topic/shop.Order.42.deleted').send({ recovered: false }, { 'notify-listen-recovery': '' });
	assert.deepEqual(reloads, ['reload'], 'once per listen()');
});

test('since: text that is no position is ignored and the channel subscribes afresh', async () => {
	const { client, server } = fakeClient();
	client.listen('Order', 42, { refresh: () => {} }, { since: 'yesterday' });
	await settle();
	server.socket.connect();
	await settle();

	assert.equal(server.socket.on(REFRESH).headers['last-sequence'], undefined);
});
