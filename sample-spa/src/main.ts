/*
 * The sample's orders as a single-page app served from another origin than the API: a list, one
 * order, each refreshed live on Order/<id>/refresh, the client's state with its reason, and a
 * logout. Routes are hashes (#/orders, #/orders/1) so that any static server can serve it. It logs
 * in with the API's session cookie, or with bearer tokens where config.json says "auth": "token".
 */
import { configure, disconnect, listen, notifyListen } from '@notify-listen/client';
import type { ConnectionState, ListenHandle, NotifyMessage } from '@notify-listen/client';
import { CookieSession } from './cookie-session';
import type { Order, Session } from './session';
import { TokenSession } from './token-session';
import './style.css';

const client = notifyListen();
const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
let session: Session;
let listening: ListenHandle[] = [];
// Which route() is the latest: one that an answer overtook listens to nothing.
let routes = 0;
// How many state events the client sent, shown for the browser tests: any reconnect adds to it.
let stateChanges = 0;

function element<T extends HTMLElement = HTMLElement>(id: string): T {
	const found = document.getElementById(id);
	if (!found) {
		throw new Error('No #' + id + ' in index.html');
	}
	return found as T;
}

function showState(state: ConnectionState, reason?: string): void {
	const badge = element('state');
	badge.dataset.state = state;
	badge.dataset.changes = String(stateChanges);
	badge.dataset.connectionId = client.connectionId ?? '';
	badge.textContent = state;
	element('reason').textContent = reason ?? '';
}

function stopListening(): void {
	listening.forEach((handle) => handle.stop());
	listening = [];
}

function show(view: 'login-form' | 'orders' | 'order'): void {
	for (const id of ['login-form', 'orders', 'order']) {
		element(id).hidden = id !== view;
	}
}

function refreshed(message: NotifyMessage): Order | undefined {
	// The sample's @NotifyListen method loads the order for each listener, so the message
	// carries it and the page need not ask again.
	return message.result as Order | undefined;
}

async function showOrders(route: number): Promise<void> {
	show('orders');
	const list = element('order-list');
	const render = (orders: Order[]) => {
		list.replaceChildren(...orders.map((order) => {
			const item = document.createElement('li');
			item.id = 'order-row-' + order.id;
			const link = document.createElement('a');
			link.href = '#/orders/' + order.id;
			link.textContent = '#' + order.id + ' ' + order.customer + ': ' + order.status;
			item.append(link);
			return item;
		}));
	};
	const orders = await session.orders();
	if (route !== routes) {
		return;
	}
	render(orders);
	listening = orders.map((order) => listen('Order', order.id, {
		refresh: async () => render(await session.orders())
	}, { resubscribed: async () => render(await session.orders()) }));
}

async function showOrder(route: number, id: string): Promise<void> {
	show('order');
	element('order-id').textContent = id;
	element('save-result').textContent = '';
	const render = (order: Order) => {
		element('order-customer').textContent = order.customer;
		element('order-status').textContent = order.status;
		element('order-amount').textContent = euros.format(order.amount);
		element('order-changed-by').textContent = order.lastChangedBy;
		element('order-details').hidden = false;
		const form = element<HTMLFormElement>('order-form');
		form.hidden = false;
		form.dataset.amount = String(order.amount);
		if (!form.contains(document.activeElement)) {
			element<HTMLSelectElement>('status-input').value = order.status;
		}
	};
	const notAllowed = (reason: string) => {
		element('not-allowed').textContent = reason;
		element('not-allowed').hidden = false;
		element('order-details').hidden = true;
		element('order-form').hidden = true;
	};
	const load = async () => {
		const found = await session.order(id);
		if (found && 'error' in found) {
			notAllowed(found.error);
		}
		else if (found) {
			render(found);
		}
	};
	element('not-allowed').hidden = true;
	element('live').hidden = true;
	await load();
	if (route !== routes) {
		return;
	}
	const handle = listen('Order', id, {
		refresh: (message) => {
			const order = refreshed(message);
			return order ? render(order) : load();
		}
	}, { resubscribed: load, denied: notAllowed });
	listening = [handle];
	// Subscribed: from now on every save shows here. A denial is shown by notAllowed.
	handle.ready.then(() => {
		element('live').hidden = !listening.includes(handle);
	}, () => undefined);
}

async function route(): Promise<void> {
	const current = ++routes;
	stopListening();
	const me = await session.me();
	if (current !== routes) {
		return;
	}
	element('current-user').textContent = me ? me.username : '';
	element('logout').hidden = !me;
	if (!me) {
		show('login-form');
		element<HTMLInputElement>('username').focus();
		return;
	}
	const match = /^#\/orders\/([^/]+)$/.exec(window.location.hash);
	await (match ? showOrder(current, decodeURIComponent(match[1])) : showOrders(current));
}

async function start(): Promise<void> {
	// Where the API is and how to log in, read at run time so that one build serves any API
	// (config.json beside index.html).
	const config = (await (await fetch('config.json', { cache: 'no-store' })).json()) as
		{ api: string; auth?: 'cookie' | 'token'; tokenUrl?: string };
	if (config.auth !== 'token') {
		session = new CookieSession(config.api);
	}
	else if (config.tokenUrl) {
		session = new TokenSession(config.api, config.tokenUrl);
	}
	else {
		throw new Error('config.json: "auth": "token" needs a "tokenUrl"');
	}
	configure(session.clientOptions());
	showState(client.state);
	client.on('state', (event) => {
		stateChanges++;
		showState(event.state, event.reason);
	});

	element<HTMLFormElement>('login-form').addEventListener('submit', async (event) => {
		event.preventDefault();
		const error = element('login-error');
		error.hidden = true;
		const me = await session.login(element<HTMLInputElement>('username').value,
				element<HTMLInputElement>('password').value);
		if (!me) {
			error.textContent = 'Login failed';
			error.hidden = false;
			return;
		}
		await route();
	});
	element('logout').addEventListener('click', async () => {
		// Stopped first: disconnect() keeps open handles, which would subscribe again, as the
		// next user, with the next listen().
		stopListening();
		disconnect();
		await session.logout();
		await route();
	});
	element<HTMLFormElement>('order-form').addEventListener('submit', async (event) => {
		event.preventDefault();
		const form = event.currentTarget as HTMLFormElement;
		const id = element('order-id').textContent ?? '';
		const saved = await session.save(id, element<HTMLSelectElement>('status-input').value,
				Number(form.dataset.amount));
		element('save-result').textContent = saved ? 'Saved' : 'Not saved';
		if (saved) {
			element('order-status').textContent = saved.status;
			element('order-changed-by').textContent = saved.lastChangedBy;
		}
	});
	window.addEventListener('hashchange', () => void route());
	await route();
}

void start();
