import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClient, settle } from './fakes.js';

const MEMBERS = '/topic/shop.presence.Order.42.members';
const ALICE = { id: 'alice', name: 'Alice' };
const BOB = { id: 'bob', name: 'Bob' };
const CAROL = { id: 'carol', name: 'Carol' };

async function present() {
	const fakes = fakeClient();
	const calls = [];
	const viewers = fakes.client.presence('Order', 42, {
		here: (members, info) => calls.push(['here', members.map((m) => m.id), info.count, info.truncated]),
		joining: (member) => calls.push(['joining', member.id]),
		leaving: (member) => calls.push(['leaving', member.id]),
		count: (n) => calls.push(['count', n])
	});
	await settle();
	fakes.server.socket.connect();
	await settle();
	const channel = fakes.server.socket.on(MEMBERS);
	const here = (body) => channel.send(body, { 'notify-listen-presence': 'here' });
	const change = (body) => channel.send(body, { 'notify-listen-presence': 'change' });
	return { ...fakes, viewers, calls, channel, here, change };
}

test('presence is signed as presence-<entity>/<id> and subscribes to the members destination', async () => {
	const { server, channel } = await present();
	assert.deepEqual(server.authRequests(), ['presence-Order/42']);
	assert.equal(channel.headers.auth, 'shop:sig-of-' + 'c'.repeat(32) + ':presence-Order/42');
});

test('here gives the list and me; joins and leaves follow it', async () => {
	const { viewers, calls, here, change } = await present();
	here({ version: 4, count: 1, members: [ALICE], me: ALICE });
	await viewers.ready;
	change({ version: 5, count: 2, joining: [BOB] });
	change({ version: 6, count: 1, leaving: [ALICE] });
	assert.deepEqual(calls, [
		['here', ['alice'], 1, false],
		['joining', 'bob'], ['count', 2],
		['leaving', 'alice'], ['count', 1]
	]);
	assert.deepEqual(viewers.members, [BOB]);
	assert.deepEqual(viewers.me, ALICE);
	assert.equal(viewers.count, 1);
});

test('changes that arrive before the list are held, then applied after it; those the list already holds are skipped', async () => {
	const { viewers, calls, here, change } = await present();
	change({ version: 3, count: 2, joining: [BOB] });
	change({ version: 6, count: 3, joining: [CAROL] });
	assert.deepEqual(calls, [], 'nothing before the list');
	here({ version: 5, count: 2, members: [ALICE, BOB], me: ALICE });
	assert.deepEqual(calls, [['here', ['alice', 'bob'], 2, false], ['joining', 'carol'], ['count', 3]]);
	assert.deepEqual(viewers.members.map((m) => m.id), ['alice', 'bob', 'carol']);
});

test('the page\'s own join, which the server sends before its list with the list\'s version, is skipped: joining is never called for me', async () => {
	const { viewers, calls, here, change } = await present();
	change({ version: 7, count: 2, joining: [ALICE] });
	here({ version: 7, count: 2, members: [BOB, ALICE], me: ALICE });
	change({ version: 8, count: 3, joining: [CAROL] });
	assert.deepEqual(calls, [['here', ['bob', 'alice'], 2, false], ['joining', 'carol'], ['count', 3]]);
	assert.deepEqual(viewers.members.map((m) => m.id), ['bob', 'alice', 'carol']);
});

test('a change with a version not above the one applied is stale and skipped', async () => {
	const { viewers, calls, here, change } = await present();
	here({ version: 5, count: 1, members: [ALICE], me: ALICE });
	change({ version: 6, count: 2, joining: [BOB] });
	// The rule is the version alone: a second frame of version 6 is skipped whatever it says.
	change({ version: 6, count: 3, joining: [CAROL] });
	change({ version: 4, count: 1, leaving: [ALICE] });
	assert.deepEqual(calls.slice(1), [['joining', 'bob'], ['count', 2]]);
	assert.deepEqual(viewers.members.map((m) => m.id), ['alice', 'bob']);
});

test('beyond max-members only the count is shown, and the list comes back once under it', async () => {
	const { viewers, calls, here, change } = await present();
	here({ version: 1, count: 2, members: [ALICE, BOB], me: ALICE });
	change({ version: 2, count: 101, truncated: true });
	assert.deepEqual(viewers.members, []);
	change({ version: 3, count: 102, truncated: true });
	change({ version: 4, count: 2, members: [ALICE, CAROL] });
	assert.deepEqual(calls, [
		['here', ['alice', 'bob'], 2, false],
		['here', [], 101, true],
		['count', 102],
		['here', ['alice', 'carol'], 2, false]
	]);
	assert.equal(viewers.count, 2);
});

test('after a reconnect here is called again with the list as it is then, and old changes do not replay', async () => {
	const { server, clock, calls, here } = await present();
	here({ version: 9, count: 2, members: [ALICE, BOB], me: ALICE });
	server.socket.close();
	await clock.advance(clock.pending()[0]);
	server.socket.connect();
	await settle();
	const again = server.socket.on(MEMBERS);
	again.send({ version: 10, count: 1, leaving: [BOB] }, { 'notify-listen-presence': 'change' });
	again.send({ version: 12, count: 1, members: [ALICE], me: ALICE }, { 'notify-listen-presence': 'here' });
	assert.deepEqual(calls, [['here', ['alice', 'bob'], 2, false], ['here', ['alice'], 1, false]],
		'the held change is older than the new list: skipped, no leaving');
});

test('a second presence() on the same object shares the subscription and gets the list at once; the last stop() leaves', async () => {
	const { client, server, here } = await present();
	here({ version: 1, count: 1, members: [ALICE], me: ALICE });
	const seen = [];
	const second = client.presence('Order', 42, { here: (members) => seen.push(members.map((m) => m.id)) });
	assert.deepEqual(seen, [['alice']]);
	await settle();
	assert.equal(server.socket.subscriptions.length, 1);
	second.stop();
	assert.equal(server.socket.subscriptions[0].unsubscribed, false);
});
