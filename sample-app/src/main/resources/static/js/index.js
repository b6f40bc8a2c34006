/* The order list. */
(function () {
	'use strict';

	const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

	App.ready.then(async () => {
		const result = await App.api('GET', '/api/orders');
		const body = document.querySelector('#orders tbody');
		body.replaceChildren.apply(body, (result.data || []).map((order) => {
			const link = App.el('a', { href: '/orders/' + order.id, text: '#' + order.id });
			return App.el('tr', {}, [
				App.el('td', {}, [link]),
				App.el('td', { text: order.customer }),
				App.el('td', {}, [App.el('span', { class: 'status status-' + order.status.toLowerCase(), text: order.status })]),
				App.el('td', { class: 'num', text: euros.format(order.amount) }),
				App.el('td', { text: order.lastChangedBy })
			]);
		}));
	});
})();
