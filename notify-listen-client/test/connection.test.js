import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SETTINGS, fakeClient, json, settle } from './fakes.js';

const REFRESH = '/topic/shop.Order.42.refresh';

function states(events) {
	return events.filter(([name]) => name === 'state').map(([, detail]) => detail.state);
}

test('listen() connects with the CSRF token from /rest/pusher/key, signs the channel for this connection, then subscribes', async () => {
	const { client, server } = fakeClient();
	client.listen('Order', 42, { refresh: () => {} });
	await settle();

	assert.equal(client.state, 'connecting');
	const stomp = server.socket;
	assert.equal(stomp.config.brokerURL, 'ws://app.test/notify-listen/ws');
	assert.deepEqual(stomp.config.connectHeaders, { 'X-CSRF-TOKEN': 'csrf-1' });
	assert.equal(stomp.config.reconnectDelay, 0, 'reconnects are the client\'s own, not stompjs\'');
	assert.equal(stomp.config.heartbeatIncoming, 10000);
	assert.equal(stomp.active, true);

	stomp.connect('a'.repeat(32));
	await settle();
	assert.equal(client.state, 'connected');
	assert.equal(client.connectionId, 'a'.repeat(32));
	assert.deepEqual(client.originHeaders(), { 'X-Notify-Listen-Connection': 'a'.repeat(32) });

	const auth = server.requests.find((r) => r.path === '/rest/pusher/auth');
	assert.equal(auth.method, 'POST');
	assert.equal(auth.headers['X-CSRF-TOKEN'], 'csrf-1');
	assert.equal(auth.body, 'socket_id=' + 'a'.repeat(32) + '&channel_name=Order%2F42%2Frefresh');
	const subscription = stomp.on(REFRESH);
	assert.equal(subscription.headers.auth, 'shop:sig-of-' + 'a'.repeat(32) + ':Order/42/refresh');
	assert.match(subscription.headers.receipt, /^nl-\d+$/);
});

test('two listen() calls on one channel share one subscription, and the socket closes a second after the last stops', async () => {
	const { client, server, clock } = fakeClient();
	const first = client.listen('Order', 42, { refresh: () => {} });
	const second = client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.connect();
	await settle();
	await first.ready;
	await second.ready;
	assert.equal(server.socket.subscriptions.length, 1);
	assert.equal(server.authRequests().length, 1);

	first.stop();
	assert.equal(server.socket.subscriptions[0].unsubscribed, false);
	second.stop();
	assert.equal(server.socket.subscriptions[0].unsubscribed, true);
	await clock.advance(999);
	assert.equal(client.state, 'connected');
	await clock.advance(1);
	assert.equal(client.state, 'idle');
	assert.equal(server.socket.active, false);
});

test('after a drop it waits by the backoff, reads the settings afresh and signs every channel for the new connection', async () => {
	const { client, server, clock, events } = fakeClient();
	const resubscribed = [];
	client.listen('Order', 42, { refresh: () => {} }, { resubscribed: () => resubscribed.push('again') });
	await settle();
	server.socket.connect('1'.repeat(32));
	await settle();

	server.socket.close();
	assert.equal(client.state, 'reconnecting');
	assert.equal(client.connectionId, null);
	assert.deepEqual(clock.pending(), [1000], 'first retry below 1 s (random() = 1 here)');
	assert.equal(server.requests.filter((r) => r.path === '/rest/pusher/key').length, 1);

	await clock.advance(1000);
	assert.equal(server.requests.filter((r) => r.path === '/rest/pusher/key').length, 2);
	assert.equal(server.sockets.length, 2);
	server.socket.connect('2'.repeat(32));
	await settle();
	assert.equal(server.socket.on(REFRESH).headers.auth, 'shop:sig-of-' + '2'.repeat(32) + ':Order/42/refresh');
	assert.deepEqual(resubscribed, ['again'], 'nothing had arrived, so the page is told to reload');
	// 'reconnecting' is told with the wait, then again as the attempt starts.
	assert.deepEqual(states(events), ['connecting', 'connected', 'reconnecting', 'reconnecting', 'connected']);
});

test('attempts that keep failing wait longer each time, up to 30 s; a connection that lasts 10 s starts the backoff over', async () => {
	const { client, server, clock } = fakeClient();
	// Without a fallback: attempts that never connect would otherwise switch to Server-Sent Events.
	client.configure({ transport: 'websocket' });
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	const waits = [];
	for (let i = 0; i < 7; i++) {
		server.socket.close();
		waits.push(clock.pending()[0]);
		await clock.advance(waits[i]);
	}
	assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);

	server.socket.connect();
	await settle();
	await clock.advance(10000);
	server.socket.close();
	assert.deepEqual(clock.pending(), [1000]);
});

test('a drop within 10 s of connecting does not reset the backoff', async () => {
	const { client, server, clock } = fakeClient();
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.close();
	await clock.advance(1000);
	server.socket.connect();
	await settle();
	await clock.advance(5000);
	server.socket.close();
	assert.deepEqual(clock.pending(), [2000]);
});

test('"Login required" from /rest/pusher/key fails the connection with the reason and keeps retrying', async () => {
	const { client, server, clock, events } = fakeClient();
	server.keyAnswer = () => json(401, {});
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.equal(client.state, 'failed');
	assert.deepEqual(events.filter(([n]) => n === 'state').pop()[1], { state: 'failed', reason: 'Login required' });
	assert.equal(server.sockets.length, 0);

	server.keyAnswer = () => ({ type: 'opaqueredirect', status: 0, ok: false });
	await clock.advance(clock.pending()[0]);
	assert.equal(client.state, 'failed', 'a redirect to a login page reads as not logged in too');

	// Logged in again (another tab, remember-me): a new session with a new CSRF token.
	server.keyAnswer = () => json(200, { ...SETTINGS, csrf: { headerName: 'X-CSRF-TOKEN', token: 'csrf-2' } });
	await clock.advance(clock.pending()[0]);
	assert.equal(server.sockets.length, 1);
	assert.deepEqual(server.socket.config.connectHeaders, { 'X-CSRF-TOKEN': 'csrf-2' }, 'the new session\'s token');
	server.socket.connect();
	await settle();
	assert.equal(client.state, 'connected');
});

test('a CONNECT the server refuses sets failed with its reason', async () => {
	const { client, server, events } = fakeClient();
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.error({ message: 'Invalid or missing CSRF token' });
	server.socket.close();
	const failed = events.filter(([n, d]) => n === 'state' && d.state === 'failed');
	assert.deepEqual(failed[0][1], { state: 'failed', reason: 'Invalid or missing CSRF token' });
	assert.equal(client.state, 'failed');
});

test('two WebSocket attempts that never connect switch the transport to Server-Sent Events, one stream per channel', async () => {
	const { client, server, clock } = fakeClient();
	const transports = [];
	client.on('transport', (e) => transports.push(e.transport));
	client.listen('Order', 42, { refresh: () => {}, deleted: () => {} });
	await settle();
	server.socket.close();
	assert.equal(client.transport, 'websocket');
	await clock.advance(clock.pending()[0]);
	server.socket.close();
	assert.equal(client.transport, 'sse');
	assert.deepEqual(transports, ['sse']);

	await clock.advance(clock.pending()[0]);
	assert.equal(server.sockets.length, 2, 'no third WebSocket');
	assert.deepEqual(server.streams.map((stream) => stream.url), [
		'http://app.test/notify-listen/sse/Order/42?events=refresh',
		'http://app.test/notify-listen/sse/Order/42?events=deleted'
	]);
	await settle();
	assert.equal(client.state, 'connected');
});

test('a connection that once worked does not fall back to Server-Sent Events when it drops', async () => {
	const { client, server, clock } = fakeClient();
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.connect();
	await settle();
	for (let i = 0; i < 3; i++) {
		server.socket.close();
		await clock.advance(clock.pending()[0]);
	}
	assert.equal(client.transport, 'websocket');
	assert.equal(server.sockets.length, 4);
});

test('pagehide disconnects; a tab that becomes visible reconnects at once instead of waiting for its timer', async () => {
	const { client, server, clock, window, document } = fakeClient();
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.connect();
	await settle();
	server.socket.close();
	assert.deepEqual(clock.pending(), [1000]);
	document.dispatchEvent(new Event('visibilitychange'));
	await settle();
	assert.equal(server.sockets.length, 2, 'reconnected without waiting');
	assert.deepEqual(clock.pending(), []);

	server.socket.connect();
	await settle();
	window.dispatchEvent(new Event('pagehide'));
	assert.equal(client.state, 'idle');
	assert.equal(server.socket.active, false);
});

test('a page event listener that throws does not keep the others from running', async () => {
	const { client, server, errors } = fakeClient();
	const seen = [];
	client.on('connected', () => {
		throw new Error('broken page code');
	});
	client.on('connected', () => seen.push('second'));
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.connect();
	await settle();
	assert.deepEqual(seen, ['second']);
	assert.equal(errors.length, 1);
});

test('events reach document as notify-listen:<event> CustomEvents', async () => {
	const { client, server, document } = fakeClient();
	const seen = [];
	document.addEventListener('notify-listen:connected', (e) => seen.push(e.detail.state));
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.connect();
	await settle();
	assert.deepEqual(seen, ['connected']);
});

test('the session cookie goes along to the page\'s own origin only, unless credentials says include', async () => {
	const own = fakeClient();
	own.client.listen('Order', 42, { refresh: () => {} });
	await settle();
	own.server.socket.connect('a'.repeat(32));
	await settle();
	assert.deepEqual(own.server.requests.map((r) => r.credentials), ['same-origin', 'same-origin']);

	// A single-page app served from another origin than the application.
	const spa = fakeClient();
	spa.client.configure({ baseUrl: 'https://api.shop.test', credentials: 'include' });
	spa.client.listen('Order', 42, { refresh: () => {} });
	await settle();
	spa.server.socket.connect('b'.repeat(32));
	await settle();
	assert.deepEqual(spa.server.requests.map((r) => [r.path, r.credentials]), [
		['/rest/pusher/key', 'include'],
		['/rest/pusher/auth', 'include']
	]);
	assert.equal(spa.server.socket.config.brokerURL, 'wss://api.shop.test/notify-listen/ws');
});
