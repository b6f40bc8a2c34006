/*
 * The order list. It listens to refresh on every order (listen('Order', ...) without an id): the
 * server sends each change, and each new order, only to users who may read that order, with the
 * order as the @NotifyListen handler loaded it for this user, so a row is added or updated in place.
 */
(function () {
	'use strict';

	const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
	const body = document.querySelector('#orders tbody');

	function row(order) {
		const link = App.el('a', { href: '/orders/' + order.id, text: '#' + order.id });
		return App.el('tr', { id: 'order-row-' + order.id, 'data-changed-at': order.changedAt }, [
			App.el('td', {}, [link]),
			App.el('td', { text: order.customer }),
			App.el('td', {}, [App.el('span', { class: 'status status-' + order.status.toLowerCase(), text: order.status })]),
			App.el('td', { class: 'num', text: euros.format(order.amount) }),
			App.el('td', { text: order.lastChangedBy })
		]);
	}

	// A fetch answered late, or a message overtaken by a fetch, never puts a row back in time.
	function show(order) {
		const existing = document.getElementById('order-row-' + order.id);
		if (existing) {
			if (new Date(existing.dataset.changedAt) <= new Date(order.changedAt)) {
				existing.replaceWith(row(order));
			}
			return;
		}
		const after = Array.from(body.children).find((other) => Number(other.id.slice('order-row-'.length)) > order.id);
		body.insertBefore(row(order), after || null);
	}

	async function load() {
		const result = await App.api('GET', '/api/orders');
		(result.data || []).forEach(show);
	}

	App.ready.then(() => {
		const orders = NotifyListen.listen('Order', {
			refresh: (msg) => {
				// Folded by the server while this page read too slowly: other orders may have
				// changed too.
				if (msg.folded) {
					load();
				}
				if (msg.result) {
					show(msg.result);
				}
				else {
					load();
				}
			}
		}, {
			denied: (reason) => App.denied(reason),
			// Changes made while the connection was down were not pushed: fetch the list again.
			resubscribed: () => load()
		});
		// The list at once, and again once subscribed: a type has no position to listen from,
		// so an order saved before the subscription was live comes with the second fetch.
		load();
		orders.ready.then(() => {
			document.getElementById('orders').dataset.live = 'true';
			return load();
		}, () => {});
	});

	document.getElementById('new-order-form').addEventListener('submit', async (event) => {
		event.preventDefault();
		const form = event.target;
		const result = await App.api('POST', '/api/orders', {
			customer: form.customer.value,
			amount: form.amount.value
		});
		if (result.ok) {
			form.reset();
			show(result.data);
			App.toast('Placed order #' + result.data.id, 'success');
		}
		else {
			App.toast((result.data && result.data.error) || 'Could not place the order (' + result.status + ')', 'error');
		}
	});
})();
