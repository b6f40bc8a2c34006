import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SETTINGS, fakeClient, json, settle } from './fakes.js';

const REFRESH = '/topic/shop.Order.42.refresh';

function lastState(events) {
	return events.filter(([name]) => name === 'state').pop()[1];
}

function keyRequests(server) {
	return server.requests.filter((r) => r.path === '/rest/pusher/key').length;
}

test('a page on an origin the server refuses: state failed with "Origin not allowed", ready rejects with it, retries under the backoff', async () => {
	const { client, server, clock, events } = fakeClient();
	server.keyAnswer = () => new Response('Origin not allowed', { status: 403 });
	const handle = client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.deepEqual(lastState(events), { state: 'failed', reason: 'Origin not allowed' });
	await assert.rejects(handle.ready, { message: 'Origin not allowed' });
	assert.equal(server.sockets.length, 0);

	const waits = [];
	for (let i = 0; i < 4; i++) {
		waits.push(clock.pending()[0]);
		await clock.advance(waits[i]);
	}
	assert.deepEqual(waits, [1000, 2000, 4000, 8000]);
	assert.equal(client.state, 'failed');
	assert.equal(server.streams.length, 0, 'no fall back to Server-Sent Events');
});

test('"Login required" in the ERROR frame answering CONNECT: failed, ready rejects, no fall back to Server-Sent Events, capped backoff', async () => {
	const { client, server, clock, events } = fakeClient();
	const handle = client.listen('Order', 42, { refresh: () => {} });
	await settle();
	const waits = [];
	for (let i = 0; i < 7; i++) {
		server.socket.error({ message: 'Login required' });
		server.socket.close();
		waits.push(clock.pending()[0]);
		await clock.advance(waits[i]);
	}
	assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
	assert.equal(client.transport, 'websocket');
	assert.equal(server.streams.length, 0);
	assert.equal(server.sockets.length, 8);
	assert.deepEqual(lastState(events), { state: 'failed', reason: 'Login required' });
	await assert.rejects(handle.ready, { message: 'Login required' });
	assert.equal(events.filter(([n, d]) => n === 'state' && d.state === 'failed').length, 1,
		'failed once, not once per attempt');

	const late = client.listen('Order', 43, { refresh: () => {} });
	await assert.rejects(late.ready, { message: 'Login required' }, 'a listen() made while refused hears why at once');
});

test('a network failure reads as reconnecting with the reason "Network error", before and after connecting', async () => {
	const { client, server, clock, events } = fakeClient();
	server.keyAnswer = () => {
		throw new TypeError('Failed to fetch');
	};
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.deepEqual(lastState(events), { state: 'reconnecting', reason: 'Network error', attempt: 1, retryInMs: 1000 });

	server.keyAnswer = () => json(200, SETTINGS);
	await clock.advance(1000);
	server.socket.connect();
	await settle();
	assert.equal(client.state, 'connected');
	server.socket.close('Going away');
	assert.equal(lastState(events).reason, 'Going away', 'the close reason, when the socket gives one');
	await clock.advance(clock.pending()[0]);
	server.socket.close();
	assert.equal(lastState(events).reason, 'Network error');
});

test('over Server-Sent Events a failing stream is retried under the capped backoff, not every second', async () => {
	const { client, server, clock } = fakeClient();
	client.configure({ transport: 'sse' });
	// A 401 without CORS headers: the browser's fetch throws.
	server.streamAnswer = () => {
		throw new TypeError('Failed to fetch');
	};
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	await clock.advance(30000);
	const streamRequests = server.requests.filter((r) => r.path.startsWith('/notify-listen/sse/')).length;
	assert.equal(streamRequests, 5, 'after 0, 1, 3, 7 and 15 s; the next one at 31 s');
	assert.equal(keyRequests(server), 5, 'each attempt reads the settings afresh, and so learns of a lost login');
	assert.equal(client.state, 'reconnecting');
});

test('over Server-Sent Events a 401 on the stream is "Login required": failed, ready rejects', async () => {
	const { client, server, clock, events } = fakeClient();
	client.configure({ transport: 'sse' });
	server.streamAnswer = () => json(401, {});
	const handle = client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.deepEqual(lastState(events), { state: 'failed', reason: 'Login required' });
	await assert.rejects(handle.ready, { message: 'Login required' });
	assert.deepEqual(clock.pending(), [1000]);
});

test('Server-Sent Events: a stream resumes from its Last-Event-ID after a drop, and reload is resubscribed', async () => {
	const { client, server, clock } = fakeClient();
	client.configure({ transport: 'sse' });
	const received = [];
	let reloads = 0;
	const handle = client.listen('Order', 42, { refresh: (msg) => received.push(msg.sequence) },
		{ resubscribed: () => reloads++ });
	await settle();
	await handle.ready;
	assert.equal(client.state, 'connected');
	server.streams[0].send('refresh', { sequence: 7, epoch: 'e1' }, 'e1:7');
	await settle();
	assert.deepEqual(received, [7]);
	assert.equal(server.streams[0].headers['Last-Event-ID'], undefined);

	server.streams[0].end();
	await settle();
	assert.equal(client.state, 'reconnecting');
	await clock.advance(clock.pending()[0]);
	assert.equal(server.streams.length, 2);
	assert.equal(server.streams[1].headers['Last-Event-ID'], 'e1:7');
	assert.equal(reloads, 0, 'the server replays what was missed');
	server.streams[1].send('reload', {});
	await settle();
	assert.equal(reloads, 1);
});

test('Server-Sent Events: since is the first stream\'s Last-Event-ID, and reload is resubscribed', async () => {
	const { client, server } = fakeClient();
	client.configure({ transport: 'sse' });
	const received = [];
	let reloads = 0;
	client.listen('Order', 42, { refresh: (msg) => received.push(msg.sequence) },
		{ since: 'e1:7', resubscribed: () => reloads++ });
	await settle();
	assert.equal(server.streams[0].headers['Last-Event-ID'], 'e1:7');
	server.streams[0].send('refresh', { sequence: 7, epoch: 'e1' }, 'e1:7');
	server.streams[0].send('refresh', { sequence: 8, epoch: 'e1' }, 'e1:8');
	server.streams[0].send('reload', {});
	await settle();
	assert.deepEqual(received, [8], 'what the page\'s data held already is dropped');
	assert.equal(reloads, 1);
});

test('disconnect() closes and goes idle; nothing reconnects by itself; a later listen() connects again with the kept handles', async () => {
	const { client, server, clock, window, document, events } = fakeClient();
	const received = [];
	client.listen('Order', 42, { refresh: (msg) => received.push(msg.sequence) });
	await settle();
	server.socket.connect();
	await settle();
	const first = server.socket;

	client.disconnect();
	assert.equal(client.state, 'idle');
	assert.equal(first.active, false);
	assert.deepEqual(clock.pending(), []);
	assert.deepEqual(lastState(events), { state: 'idle' });
	document.dispatchEvent(new Event('visibilitychange'));
	window.dispatchEvent(new Event('online'));
	const pageshow = new Event('pageshow');
	pageshow.persisted = true;
	window.dispatchEvent(pageshow);
	await settle();
	assert.equal(server.sockets.length, 1, 'a logged out page stays disconnected');

	client.listen('Order', 43, { refresh: () => {} });
	await settle();
	server.socket.connect('2'.repeat(32));
	await settle();
	assert.equal(client.state, 'connected');
	server.socket.on(REFRESH).send({ entity: 'Order', id: '42', action: 'refresh', sequence: 3, epoch: 'e1' });
	assert.deepEqual(received, [3], 'the handle kept across disconnect() listens again');
});

test('a listen() after the shared client went idle is a first subscription: no resubscribed', async () => {
	const { client, server, clock } = fakeClient();
	let reloads = 0;
	const first = client.listen('Order', 42, { refresh: () => {} }, { resubscribed: () => reloads++ });
	await settle();
	server.socket.connect();
	await settle();
	first.stop();
	await clock.advance(1000);
	assert.equal(client.state, 'idle');

	const second = client.listen('Order', 42, { refresh: () => {} }, { resubscribed: () => reloads++ });
	await settle();
	assert.equal(client.state, 'connecting');
	server.socket.connect();
	await settle();
	await second.ready;
	assert.equal(reloads, 0, 'an SPA navigating between pages must not reload each time');

	server.socket.close();
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();
	assert.equal(reloads, 1, 'listened to across a drop, nothing recovered: reload');
});
