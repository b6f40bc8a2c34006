// Without a contract: any entity and action, and what the server sends is `unknown` until the
// page says what it expects.
import { listen, onNotice, presence, type ChannelMessage, type EntityName, type NotifyMessage } from '@notify-listen/client';

const entity: EntityName = 'AnythingAtAll';
const fromServer: string = ['Order', 'Invoice'][0];

listen(fromServer, 1, { whatever: (m) => m.action });
listen('Order', 1, {
	refresh: (m) => {
		const message: NotifyMessage<Record<string, unknown>, unknown> = m;
		const result: unknown = m.result;
		const status: unknown = m.payload.status;
		const entityName: string = m.entity;
		void [message, result, status, entityName];
	}
});
listen(entity, 'x', { anyAction: (m: ChannelMessage) => m.payload });
listen(fromServer, { whatever: (m) => m.id });
presence(fromServer, 1);
onNotice((m) => m.payload);

// @ts-expect-error a result is unknown until the page says what it is
listen('Order', 1, { refresh: (m) => m.result.status });
// @ts-expect-error a payload's fields are unknown too
listen('Order', 1, { refresh: (m) => m.payload.status.toUpperCase() });
// @ts-expect-error an entity is a string
listen(42, 1, { refresh: () => {} });
// Without a contract, any field of a string, number or boolean.
listen('Order', { refresh: () => {} }, { where: { customer: 42, status: 'open', urgent: true } });
// @ts-expect-error a filter value is a string, number or boolean
listen('Order', { refresh: () => {} }, { where: { customer: { gt: 1 } } });
