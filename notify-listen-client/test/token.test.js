import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, json, settle } from './fakes.js';

const REFRESH = '/topic/shop.Order.42.refresh';

function lastState(events) {
	return events.filter(([name]) => name === 'state').pop()[1];
}

/** A client in token mode whose getToken hands out token-1, token-2, ... */
function tokenClient(options) {
	const fakes = fakeClient(options);
	const issued = [];
	fakes.client.configure({
		credentials: 'omit',
		getToken: async () => {
			issued.push('token-' + (issued.length + 1));
			return issued[issued.length - 1];
		}
	});
	return { ...fakes, issued };
}

test('token mode: the bearer token goes in the Authorization header of every request and of CONNECT, no CSRF token, never in a URL', async () => {
	const { client, server, issued } = tokenClient();
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.deepEqual(server.socket.config.connectHeaders, { Authorization: 'Bearer token-1' });
	server.socket.connect();
	await settle();
	assert.equal(client.state, 'connected');
	assert.deepEqual(server.requests.map((r) => [r.path, r.headers.Authorization, r.credentials]), [
		['/rest/pusher/key', 'Bearer token-1', 'omit'],
		['/rest/pusher/auth', 'Bearer token-1', 'omit']
	]);
	assert.equal(server.requests.some((r) => 'X-CSRF-TOKEN' in r.headers), false);
	assert.ok(server.socket.on(REFRESH));
	assert.equal(server.socket.config.brokerURL.includes('token'), false);
	assert.deepEqual(issued, ['token-1']);
});

test('token mode: the event stream is a fetch with the Authorization header', async () => {
	const { client, server } = tokenClient();
	client.configure({ transport: 'sse' });
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.equal(server.streams.length, 1);
	assert.equal(server.streams[0].headers.Authorization, 'Bearer token-1');
	assert.equal(server.streams[0].url, 'http://app.test/notify-listen/sse/Order/42?events=refresh');
	assert.equal(client.state, 'connected');
});

test('token mode: ahead of token-expires-at a fresh token is sent on the same connection and its RECEIPT sets the next refresh', async () => {
	const { client, server, clock, issued } = tokenClient();
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	const stomp = server.socket;
	stomp.connect('a'.repeat(32), { 'token-expires-at': String(clock.now() + 60000) });
	await settle();
	assert.deepEqual(clock.pending(), [10000, 48000], '80 % of the way to expiry (10 s is the stable-connection timer)');

	await clock.advance(48000);
	assert.deepEqual(issued, ['token-1', 'token-2']);
	assert.equal(stomp.published.length, 1);
	const send = stomp.published[0];
	assert.equal(send.destination, '/notify-listen/token');
	assert.equal(send.headers.Authorization, 'Bearer token-2');
	assert.match(send.headers.receipt, /^token-\d+$/);
	assert.equal(send.body, '');
	assert.equal(server.sockets.length, 1, 'no reconnect');
	assert.equal(client.state, 'connected');

	// A short-lived token: at the latest 5 s before expiry.
	stomp.receipt(send.headers.receipt, { 'token-expires-at': String(clock.now() + 10000) });
	assert.deepEqual(clock.pending(), [5000]);
	await clock.advance(5000);
	assert.equal(stomp.published.length, 2);
	assert.equal(stomp.published[1].headers.Authorization, 'Bearer token-3');
});

test('token mode: "Invalid token" or "Token expired" reconnects under the backoff with a fresh token, never on Server-Sent Events', async () => {
	const { client, server, clock, events, issued } = tokenClient();
	const handle = client.listen('Order', 42, { refresh: () => {} });
	await settle();
	for (let i = 0; i < 3; i++) {
		server.socket.error({ message: 'Invalid token' });
		server.socket.close();
		assert.deepEqual(lastState(events), { state: 'reconnecting', reason: 'Invalid token', attempt: i + 1, retryInMs: 1000 * 2 ** i });
		await clock.advance(clock.pending()[0]);
	}
	assert.equal(client.transport, 'websocket');
	assert.deepEqual(server.socket.config.connectHeaders, { Authorization: 'Bearer token-4' });
	server.socket.connect();
	await settle();
	await handle.ready;

	server.socket.error({ message: 'Token expired' });
	server.socket.close();
	assert.deepEqual(lastState(events), { state: 'reconnecting', reason: 'Token expired', attempt: 4, retryInMs: 8000 });
	await clock.advance(clock.pending()[0]);
	assert.deepEqual(server.socket.config.connectHeaders, { Authorization: 'Bearer token-5' });
	assert.equal(issued.length, 5);
});

test('token mode: a 401 on an HTTP request asks getToken afresh instead of reading as "Login required"', async () => {
	const { client, server, clock, events } = tokenClient();
	server.keyAnswer = () => new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="Jwt expired at 2030-01-01T00:00:00Z"' } });
	const handle = client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.deepEqual(lastState(events), { state: 'reconnecting', reason: 'Token expired', attempt: 1, retryInMs: 1000 });
	server.keyAnswer = () => json(401, {});
	await clock.advance(1000);
	assert.equal(lastState(events).reason, 'Invalid token');
	assert.deepEqual(server.requests.map((r) => r.headers.Authorization), ['Bearer token-1', 'Bearer token-2']);
	let settled = false;
	handle.ready.then(() => {
		settled = true;
	}, () => {
		settled = true;
	});
	await settle();
	assert.equal(settled, false, 'not a definite refusal: a fresh token may mend it');
});

test('token mode: getToken rejecting or answering nothing is "Token unavailable", failed and retried under the backoff', async () => {
	const { client, server, clock, events } = fakeClient();
	const answers = [Promise.reject(new Error('refresh token revoked')), Promise.resolve(''), Promise.resolve('good')];
	answers[0].catch(() => {});
	client.configure({ getToken: () => answers.shift() });
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.deepEqual(lastState(events), { state: 'failed', reason: 'Token unavailable' });
	assert.equal(server.requests.length, 0);
	assert.deepEqual(clock.pending(), [1000]);
	await clock.advance(1000);
	assert.equal(client.state, 'failed');
	assert.deepEqual(clock.pending(), [2000]);
	await clock.advance(2000);
	assert.deepEqual(server.socket.config.connectHeaders, { Authorization: 'Bearer good' });
	server.socket.connect();
	await settle();
	assert.equal(client.state, 'connected');
});

test('token mode: the debug log never shows the token', async () => {
	const { client, server, logs } = tokenClient();
	client.configure({ debug: true, getToken: async () => 'secret-jwt' });
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	// What stompjs logs for the frames it sends.
	server.socket.config.debug('>>> CONNECT\nAuthorization:Bearer secret-jwt\naccept-version:1.2\n\n');
	server.socket.connect();
	await settle();
	assert.ok(logs.some((line) => line.includes('>>> CONNECT\nAuthorization:Bearer [hidden]')), logs.join('\n'));
	assert.equal(logs.some((line) => line.includes('secret-jwt')), false, logs.join('\n'));
	assert.equal(server.requests.some((r) => r.path.includes('secret') || (r.body || '').includes('secret')), false);
});

test('token mode: a refresh whose getToken fails is tried again halfway to expiry, on the same connection', async () => {
	const { client, server, clock } = fakeClient();
	const answers = [Promise.resolve('first'), Promise.reject(new Error('offline')), Promise.resolve('second')];
	answers[1].catch(() => {});
	client.configure({ getToken: () => answers.shift() });
	client.listen('Order', 42, { refresh: () => {} });
	await settle();
	server.socket.connect('a'.repeat(32), { 'token-expires-at': String(clock.now() + 100000) });
	await settle();
	await clock.advance(80000);
	assert.equal(server.socket.published.length, 0);
	assert.equal(client.state, 'connected', 'deliveries go on until expiry');
	assert.deepEqual(clock.pending(), [10000], 'halfway through the 20 s left');
	await clock.advance(10000);
	assert.equal(server.socket.published[0].headers.Authorization, 'Bearer second');
	assert.equal(server.sockets.length, 1);
});
