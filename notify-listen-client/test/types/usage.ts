// What the declarations promise, with a contract (test/types) and without (test/types-plain),
// checked by tsc (npm test): pages written against them compile, and the lines marked as expected
// errors must not (tsc fails if one of them compiles).
import {
	configure, createNotifyListen, disconnect, listen, notifyListen, on, onNotice, originHeaders, presence, state,
	type ConnectionState, type NotifyMessage, type PresenceMember, type StateReason
} from '@notify-listen/client';

interface OrderView {
	status: string;
}

const order = listen('Order', 42, {
	refresh: (msg: NotifyMessage<{ status: string }, OrderView>) => {
		const status: string = msg.payload.status;
		const view: OrderView | undefined = msg.result;
		const when: string = msg.changedAt;
		const who: string = msg.notifiedBy;
		const position: number | undefined = msg.sequence;
		void [status, view, when, who, position, msg.entity, msg.id, msg.action, msg.epoch];
	}
}, {
	denied: (reason: string) => reason.length,
	resubscribed: (handle) => handle.stop()
});
order.ready.then((handle) => handle.entity);
order.stop();

const viewers = presence('Order', '42', {
	here: (members: PresenceMember[], info) => info.me?.name ?? members.length + info.count,
	joining: (member) => member.avatarUrl,
	count: (n: number) => n + 1
});
const names: string[] = viewers.members.map((m) => m.name);
void names;

const off = on('state', (event) => {
	const state: ConnectionState = event.state;
	return [state, event.reason, event.retryInMs];
});
off();
on('denied', (event) => event.reason + event.channel);
onNotice((msg) => msg.payload).stop();
const headers: Record<string, string> = originHeaders();
void headers;

const own = createNotifyListen({ baseUrl: 'https://shop.example.com/app', transport: 'sse' });
const transport: 'websocket' | 'sse' = own.transport;
const id: string | null = notifyListen().connectionId;
void [transport, id];

// Token mode, and a log out.
declare function fetchAccessToken(): Promise<string>;
configure({ baseUrl: 'https://api.shop.example', credentials: 'omit', getToken: () => fetchAccessToken() });
configure({ getToken: async () => 'eyJhbGciOi...' });
on('failed', (event) => {
	const why: StateReason | undefined = event.reason;
	if (why === 'Login required' || why === 'Token unavailable') {
		disconnect();
	}
});
order.ready.catch((error: Error) => error.message === 'Origin not allowed');
const now: ConnectionState = state;
const same: ConnectionState = own.state;
own.disconnect();
void [now, same];

// @ts-expect-error getToken returns a Promise of the token
configure({ getToken: 'eyJhbGciOi...' });
// @ts-expect-error disconnect takes nothing
disconnect(true);
// @ts-expect-error an action handler is a function
listen('Order', 42, { refresh: 'reload' });
// @ts-expect-error there is no such event
on('connectd', () => {});
// @ts-expect-error the state is one of five words
const wrong: ConnectionState = 'open';
// @ts-expect-error transports are auto, websocket or sse
createNotifyListen({ transport: 'long-polling' });
void wrong;

// A list page: at most one refresh per 250 ms, told how many messages each call stands for.
listen('Order', {
	refresh: (msg) => {
		const folded: number | undefined = msg.folded;
		void folded;
	}
}, { throttle: 250 });
// @ts-expect-error throttle is a number of milliseconds
listen('Order', { refresh: () => {} }, { throttle: '250ms' });
