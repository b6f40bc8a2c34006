// A page's use of the sample's generated contract (target/notify-listen/contract.d.ts, written
// by ContractTests), compiled under --strict in the build's verify phase. Each @ts-expect-error
// line must fail to compile: a mistake the contract catches.
import { createNotifyListen } from '@notify-listen/client';
import type { ChannelMessages, EntityName, OrderRefreshMessage } from '../../../target/notify-listen/contract';

type OrderStatus = 'NEW' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

const client = createNotifyListen();

// Inferred with no cast: payload and result from the contract.
client.listen('Order', 42, {
	refresh: (msg) => {
		const entity: 'Order' = msg.entity;
		const action: 'refresh' = msg.action;
		const status: OrderStatus = msg.payload.status;
		const shown: OrderStatus | undefined = msg.result?.status;
		const amount: number | undefined = msg.result?.amount;
		const changedAt: string | undefined = msg.result?.changedAt;
		console.log(entity, action, status, shown, amount, changedAt);
	},
});

// A handler typed with the named message fits the same listen.
function showRefresh(msg: OrderRefreshMessage): void {
	console.log(msg.payload.status, msg.result?.customer);
}
client.listen('Order', '7', { refresh: showRefresh });
const byChannel: ChannelMessages['Order/refresh'] | undefined = undefined;
console.log(byChannel);

// Progress carries its own payload, and no result.
client.listen('Job', 'j-1', {
	progress: (msg) => {
		const percent: number = msg.payload.percent;
		const text: string = msg.payload.text;
		const busy: boolean = msg.payload.busy;
		console.log(percent, text, busy);
	},
	done: (msg) => console.log(msg.payload.text),
	failed: (msg) => console.log(msg.payload.text),
});

client.listen('ChatRoom', 'lobby', {
	message: (msg) => {
		const line: { id: number; author: string; text: string; postedAt: string } = msg.payload;
		console.log(line);
	},
});

const entities: EntityName[] = ['Order', 'ChatRoom', 'Job', 'Broadcast'];
console.log(entities);

// Mistakes the contract catches.

// @ts-expect-error misspelled entity
client.listen('Ordr', 1, {});

// @ts-expect-error misspelled action (with one overload per listen form, tsc reports it on the call)
client.listen('Order', 1, { refesh: () => {} });

client.listen('Order', 1, {
	refresh: (msg) => {
		// @ts-expect-error the payload has no such field
		console.log(msg.payload.stauts);
		// @ts-expect-error the result has no such field
		console.log(msg.result?.stattus);
		// @ts-expect-error the result may be absent
		console.log(msg.result.status);
		// @ts-expect-error the status is one of OrderStatus, not any text
		const status: 'SENT' = msg.payload.status;
		console.log(status);
	},
});

client.listen('Job', 1, {
	progress: (msg) => {
		// @ts-expect-error percent is a number
		const percent: string = msg.payload.percent;
		// @ts-expect-error progress has no @NotifyListen method, so no result
		console.log(msg.result);
		console.log(percent);
	},
});

// @ts-expect-error not an entity of the sample
const unknownEntity: EntityName = 'Invoice';
console.log(unknownEntity);
