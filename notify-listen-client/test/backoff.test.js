import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconnectDelay } from '../src/backoff.js';

test('the ceiling doubles from 1 s with each attempt and stops at 30 s', () => {
	const ceilings = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => reconnectDelay(attempt, () => 1));
	assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('full jitter: the wait is a random point below the ceiling', () => {
	assert.equal(reconnectDelay(3, () => 0.5), 4000);
	assert.equal(reconnectDelay(3, () => 0.1), 800);
});

test('never sooner than a quarter second, even when the dice say 0', () => {
	assert.equal(reconnectDelay(0, () => 0), 250);
	assert.equal(reconnectDelay(8, () => 0), 250);
});
