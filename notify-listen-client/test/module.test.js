import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fakeClient } from './fakes.js';

test('importing the ES module where there is no window makes no client and touches nothing', async () => {
	assert.equal(globalThis.window, undefined);
	const module = await import('../dist/index.js');
	assert.equal(typeof module.listen, 'function');
});

test('the ES module exports what index.d.ts declares, and the client has what window.NotifyListen had', async () => {
	const declarations = await readFile(new URL('../dist/index.d.ts', import.meta.url), 'utf8');
	// An overloaded function is declared once per overload.
	const declared = [...new Set([...declarations.matchAll(/^export declare (?:function|let|const) (\w+)/gm)]
		.map((m) => m[1]))];
	const module = await import('../dist/index.js');
	assert.deepEqual(Object.keys(module).sort(), declared.sort());

	const { client } = fakeClient();
	assert.deepEqual(Object.keys(client).sort(), ['configure', 'connectionId', 'disconnect', 'listen', 'off', 'on', 'onNotice',
		'originHeaders', 'presence', 'state', 'transport']);
	assert.equal(Object.isFrozen(client), true);
	assert.equal(client.state, 'idle');
});
