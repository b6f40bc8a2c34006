/*
 * One order. It listens to Order/<id>/refresh and shows the order that the server's
 * @NotifyListen handler loaded for this user, so it never has to ask again; and it shows who else
 * has the order open (presence). It listens from the position the order was read at, so that no
 * change saved while it was subscribing is missed.
 */
(function () {
	'use strict';

	const id = window.location.pathname.split('/').pop();
	const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
	const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

	document.querySelectorAll('.order-id').forEach((node) => {
		node.textContent = id;
	});

	function render(order) {
		document.getElementById('order-customer').textContent = order.customer;
		const status = document.getElementById('order-status');
		status.textContent = order.status;
		status.className = 'status status-' + order.status.toLowerCase();
		document.getElementById('order-amount').textContent = euros.format(order.amount);
		document.getElementById('order-changed-by').textContent = order.lastChangedBy;
		document.getElementById('order-changed-at').textContent = when.format(new Date(order.changedAt));
		document.getElementById('order-details').hidden = false;
		const form = document.getElementById('order-form');
		// Do not overwrite what the user is typing.
		if (!form.contains(document.activeElement)) {
			form.status.value = order.status;
			form.amount.value = Number(order.amount).toFixed(2);
		}
	}

	function notAllowed(reason) {
		document.getElementById('not-allowed-reason').textContent = reason;
		document.getElementById('not-allowed').hidden = false;
		App.denied(reason);
	}

	// Returns where the order's notifications stood when the server read it.
	async function load() {
		const result = await App.api('GET', '/api/orders/' + id);
		if (result.status === 403) {
			document.getElementById('order-details').hidden = true;
			notAllowed((result.data && result.data.error) || 'You may not see this order.');
		}
		else if (result.ok) {
			render(result.data);
			return result.headers.get('X-Notify-Listen-Position') || undefined;
		}
		return undefined;
	}

	// "bob is also viewing this order": everyone present but this user.
	function showViewers(viewers) {
		const others = viewers.members.filter((member) => !viewers.me || member.id !== viewers.me.id);
		const line = document.getElementById('viewers');
		if (viewers.members.length === 0 && viewers.count > 1) {
			line.textContent = (viewers.count - 1) + ' others are also viewing this order';
		}
		else if (others.length > 0) {
			const names = others.map((member) => member.name);
			const who = (names.length === 1) ? names[0]
				: names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
			line.textContent = who + ((names.length === 1) ? ' is' : ' are') + ' also viewing this order';
		}
		line.hidden = !line.textContent || (others.length === 0 && viewers.count <= 1);
	}

	App.ready.then(async () => {
		const viewers = NotifyListen.presence('Order', id, {
			here: () => showViewers(viewers),
			joining: () => showViewers(viewers),
			leaving: () => showViewers(viewers),
			count: () => showViewers(viewers)
		});
		// The order first, then listening from where it stood: a change saved between the two
		// still arrives, recovered from the server's history.
		const position = await load().catch(() => undefined);
		NotifyListen.listen('Order', id, {
			refresh: (msg) => {
				if (msg.result) {
					render(msg.result);
				}
				else {
					load();
				}
				if (msg.notifiedBy !== App.user().username) {
					App.toast(msg.notifiedBy + ' changed order #' + msg.id + ': ' + msg.payload.status, 'info');
				}
			}
		}, {
			denied: (reason) => notAllowed('Live updates are off for you: ' + reason + '.'),
			// Changes made while the connection was down were not pushed: fetch the order again.
			resubscribed: () => load(),
			since: position
		});
	});

	document.getElementById('order-form').addEventListener('submit', async (event) => {
		event.preventDefault();
		const form = event.target;
		const result = await App.api('PUT', '/api/orders/' + id, {
			status: form.status.value,
			amount: form.amount.value
		});
		if (result.ok) {
			form.querySelector('button').blur();
			render(result.data);
			App.toast('Saved order #' + id, 'success');
		}
		else {
			App.toast((result.data && result.data.error) || 'Could not save (' + result.status + ')', 'error');
		}
	});
})();
