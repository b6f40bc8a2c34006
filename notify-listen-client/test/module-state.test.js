import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeServer, settle } from './fakes.js';

test('the ES module\'s state follows the shared client, and disconnect() closes it, as window.NotifyListen does', async () => {
	// A page of its own: this file runs in its own process under node --test.
	const server = new FakeServer();
	globalThis.window = Object.assign(new EventTarget(), { location: { origin: 'http://app.test', href: 'http://app.test/' } });
	globalThis.document = new EventTarget();
	globalThis.CustomEvent = globalThis.CustomEvent || class extends Event {
		constructor(type, init) {
			super(type);
			this.detail = init && init.detail;
		}
	};
	globalThis.fetch = (url, init) => (url.endsWith('/rest/pusher/key') ? new Promise(() => {}) : server.fetch(url, init));
	const module = await import('../dist/index.js');
	assert.equal(module.state, 'idle');

	module.listen('Order', 42, { refresh: () => {} });
	await settle();
	assert.equal(module.state, 'connecting');
	assert.equal(module.notifyListen().state, 'connecting');

	module.disconnect();
	assert.equal(module.state, 'idle');
	assert.equal(module.notifyListen().state, 'idle');
});
