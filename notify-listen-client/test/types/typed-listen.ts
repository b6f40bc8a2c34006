// With a contract (contract.d.ts), listen() takes only its entities and actions and types each
// handler's message, with no cast; the lines marked @ts-expect-error must not compile.
import { createNotifyListen, listen, onNotice, presence, type ChannelMessage, type EntityName } from '@notify-listen/client';

// The message is inferred from the entity and the action.
const order = listen('Order', 1, { refresh: (m) => m.result?.status });
const entity: 'Order' = order.entity;
void entity;

listen('Order', '42', {
	refresh: (m) => {
		const status: 'NEW' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED' | undefined = m.result?.status;
		const sent: string = m.payload.status;
		const action: 'refresh' = m.action;
		const of: 'Order' = m.entity;
		void [status, sent, action, of, m.id, m.changedAt, m.notifiedBy, m.sequence, m.epoch];
	},
	shipped: (m) => m.payload.status.toUpperCase(),
	deleted: (m) => m.id
});

listen('Job', 7, {
	progress: ({ payload }) => {
		const percent: number = payload.percent;
		const busy: boolean = payload.busy;
		void [percent, busy, payload.text];
	}
});

// A handler may be written apart, typed by its channel.
const onRefresh = (m: ChannelMessage<'Order', 'refresh'>) => m.result?.amount;
listen('Order', 3, { refresh: onRefresh });

// Every order: the same handlers, typed the same way, without an id.
const everyOrder = listen('Order', { refresh: (m) => m.result?.status, shipped: (m) => m.payload.status });
const anyOrder: 'Order' = everyOrder.entity;
void anyOrder;

const names: EntityName[] = ['Order', 'Job'];
void names;

presence('Order', 42, { here: (members) => members.length });
createNotifyListen().listen('Job', 1, { progress: (m) => m.payload.text });

// Notices: any of those the contract declares, told apart by entity and action.
onNotice((m) => {
	if (m.entity === 'Invoice') {
		const days: number = m.payload.days;
		void days;
	}
	else {
		const status: string = m.payload.status;
		void status;
	}
});

// @ts-expect-error a misspelled entity
listen('Ordr', 1, { refresh: () => {} });
// @ts-expect-error a misspelled action
listen('Order', 1, { refesh: () => {} });
// @ts-expect-error an action of another entity
listen('Job', 1, { refresh: () => {} });
// @ts-expect-error a field the result does not have
listen('Order', 1, { refresh: (m) => m.result?.no.such.field });
// @ts-expect-error a field the payload does not have
listen('Order', 1, { refresh: (m) => m.payload.total });
// @ts-expect-error no @NotifyListen method transforms 'shipped': it has no result
listen('Order', 1, { shipped: (m) => m.result });
// @ts-expect-error the result may be absent
listen('Order', 1, { refresh: (m) => m.result.status });
// @ts-expect-error a handler typed for another channel
listen('Order', 1, { refresh: (m: ChannelMessage<'Job', 'progress'>) => m.payload.percent });
// @ts-expect-error a misspelled action on every order
listen('Order', { refesh: () => {} });
// @ts-expect-error every object of an entity the contract does not have
listen('Ordr', { refresh: () => {} });
// @ts-expect-error presence on an entity the contract does not have
presence('Ordr', 1);
// @ts-expect-error a notice the contract does not declare
onNotice((m) => m.entity === 'Customer');

// Every order with a filter: only the fields the contract declares filterable, with their types.
listen('Order', { refresh: () => {} }, { where: { status: 'PAID', amount: 42 } });
// @ts-expect-error a field Order does not declare filterable
listen('Order', { refresh: () => {} }, { where: { owner: 'bob' } });
// @ts-expect-error a filterable field's value of another type
listen('Order', { refresh: () => {} }, { where: { amount: '42' } });
// @ts-expect-error Job declares no filterable field
listen('Job', { progress: () => {} }, { where: { percent: 1 } });
// @ts-expect-error where is for a listener to every object, not one
listen('Order', 1, { refresh: () => {} }, { where: { status: 'PAID' } });
