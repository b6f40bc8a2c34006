import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkObject, destinationOf, isAction } from '../src/names.js';
import { SETTINGS } from './fakes.js';

test('ids may be numbers and come back as text', () => {
	assert.equal(checkObject('Order', 42), '42');
	assert.equal(checkObject('Order', '3f2a-9c'), '3f2a-9c');
});

test('names that could widen a subscription are refused with the part that is wrong', () => {
	assert.throws(() => checkObject('Order.*', 1), /Invalid entity name: Order\.\*/);
	assert.throws(() => checkObject('Order', '4.2'), /Invalid id: 4\.2/);
	assert.throws(() => checkObject('Order', ''), /Invalid id/);
	assert.throws(() => checkObject('1Order', 1), /Invalid entity name/);
	assert.throws(() => checkObject('Order', 'a'.repeat(65)), /Invalid id/);
	assert.equal(isAction('refresh'), true);
	assert.equal(isAction('status-changed'), true);
	assert.equal(isAction('re#fresh'), false);
});

test('destinations follow the formats the server announces', () => {
	assert.equal(destinationOf(SETTINGS, { entity: 'Order', id: '42', action: 'refresh' }), '/topic/shop.Order.42.refresh');
	assert.equal(destinationOf(SETTINGS, { presence: true, entity: 'Order', id: '42' }), '/topic/shop.presence.Order.42.members');
	assert.equal(destinationOf(SETTINGS, { notice: 'notices' }), '/user/topic/shop.notices');
});
