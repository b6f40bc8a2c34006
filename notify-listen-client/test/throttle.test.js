import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, settle } from './fakes.js';

const REFRESH = '/topic/shop.Order.*.refresh';
const DELETED = '/topic/shop.Order.*.deleted';

function message(id, sequence, extra = {}) {
	return {
		entity: 'Order', id: String(id), action: 'refresh', changedAt: '2030-01-01T10:00:00Z', notifiedBy: 'bob',
		payload: {}, epoch: 'e1', sequence, ...extra
	};
}

async function listening(options) {
	const fakes = fakeClient();
	const calls = [];
	const handle = fakes.client.listen('Order', {
		refresh: (msg) => calls.push(['refresh', msg.id, msg.folded, fakes.clock.now()]),
		deleted: (msg) => calls.push(['deleted', msg.id, msg.folded, fakes.clock.now()])
	}, options);
	await settle();
	fakes.server.socket.connect();
	await settle();
	await handle.ready;
	return { ...fakes, handle, calls };
}

test('a burst runs a throttled handler at once, then once with the latest message at the interval\'s end', async () => {
	const { server, clock, calls } = await listening({ throttle: 250 });
	const start = clock.now();
	const refresh = server.socket.on(REFRESH);
	for (let i = 1; i <= 1000; i++) {
		refresh.send(message(i, i));
	}
	assert.deepEqual(calls, [['refresh', '1', undefined, start]]);
	await clock.advance(249);
	assert.equal(calls.length, 1, 'nothing before the interval is over');
	await clock.advance(1);
	assert.deepEqual(calls, [['refresh', '1', undefined, start], ['refresh', '1000', 998, start + 250]]);
	await clock.advance(1000);
	assert.equal(calls.length, 2, 'no call without a message');
});

test('a message after a quiet interval runs the handler at once', async () => {
	const { server, clock, calls } = await listening({ throttle: 250 });
	const refresh = server.socket.on(REFRESH);
	refresh.send(message(1, 1));
	await clock.advance(300);
	refresh.send(message(2, 2));
	assert.deepEqual(calls.map(([, id]) => id), ['1', '2']);
	assert.deepEqual(clock.pending().filter((ms) => ms <= 250), [], 'no throttle timer left waiting');
});

test('each action is throttled on its own, and the server\'s folded counts add up', async () => {
	const { server, clock, calls } = await listening({ throttle: 100 });
	const refresh = server.socket.on(REFRESH);
	refresh.send(message(1, 1));
	refresh.send(message(2, 2), { 'notify-listen-folded': '5' });
	refresh.send(message(3, 3), { 'notify-listen-folded': '2' });
	server.socket.on(DELETED).send(message(9, 4, { action: 'deleted' }));
	assert.deepEqual(calls.map(([action, id]) => action + id), ['refresh1', 'deleted9']);
	await clock.advance(100);
	assert.deepEqual(calls[2].slice(0, 3), ['refresh', '3', 2 + 1 + 5]);
});

test('stop drops what a throttle held back', async () => {
	const { server, clock, calls, handle } = await listening({ throttle: 100 });
	const refresh = server.socket.on(REFRESH);
	refresh.send(message(1, 1));
	refresh.send(message(2, 2));
	handle.stop();
	await clock.advance(200);
	assert.deepEqual(calls.map(([, id]) => id), ['1']);
});

test('without throttle every message runs the handler, with the server\'s folded count', async () => {
	const { server, calls } = await listening(undefined);
	const refresh = server.socket.on(REFRESH);
	refresh.send(message(1, 1));
	refresh.send(message(2, 2), { 'notify-listen-folded': '3' });
	assert.deepEqual(calls.map(([, id, folded]) => [id, folded]), [['1', undefined], ['2', 3]]);
});

test('a throttle that is not a number of milliseconds is refused', async () => {
	const { client } = fakeClient();
	assert.throws(() => client.listen('Order', 42, { refresh: () => {} }, { throttle: '250ms' }), /throttle/);
	assert.throws(() => client.listen('Order', 42, { refresh: () => {} }, { throttle: -1 }), /throttle/);
});
