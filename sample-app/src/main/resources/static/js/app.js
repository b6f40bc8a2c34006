/*
 * Shared by every page of the sample: the top bar (user, navigation, connection badge), the admin
 * banner, toasts, and fetch() with the session's CSRF token.
 */
(function () {
	'use strict';

	const STATE_LABELS = {
		idle: 'Idle',
		connecting: 'Connecting…',
		connected: 'Live',
		reconnecting: 'Reconnecting…',
		failed: 'Offline',
		denied: 'Not allowed'
	};

	let me = null;
	let pageDenied = null;

	function el(tag, attributes, children) {
		const node = document.createElement(tag);
		Object.keys(attributes || {}).forEach((name) => {
			if (name === 'text') {
				node.textContent = attributes[name];
			}
			else {
				node.setAttribute(name, attributes[name]);
			}
		});
		(children || []).forEach((child) => node.appendChild(child));
		return node;
	}

	function renderTopBar() {
		const bar = document.getElementById('topbar');
		const links = [['/', 'Orders'], ['/chat', 'Chat'], ['/jobs', 'Jobs']];
		if (me && me.admin) {
			links.push(['/admin', 'Admin']);
		}
		const nav = el('nav', { class: 'nav' }, links.map((link) => {
			const a = el('a', { href: link[0], text: link[1] });
			if (window.location.pathname === link[0]
					|| (link[0] === '/' && window.location.pathname.indexOf('/orders/') === 0)) {
				a.className = 'active';
			}
			return a;
		}));
		const badge = el('span', { id: 'connection-badge', class: 'badge', 'data-state': NotifyListen.state });
		const user = el('span', { class: 'user', id: 'current-user', text: me ? me.username : '' });
		const logout = el('a', { href: '/logout', class: 'logout', text: 'Log out' });
		bar.replaceChildren(el('div', { class: 'topbar-inner' }, [
			el('a', { href: '/', class: 'brand', text: 'notify-listen' }), nav,
			el('div', { class: 'topbar-right' }, [badge, user, logout])
		]));
		renderBadge(NotifyListen.state);
	}

	function renderBadge(state, reason) {
		const badge = document.getElementById('connection-badge');
		if (!badge) {
			return;
		}
		const shown = (pageDenied && state === 'connected') ? 'denied' : state;
		badge.dataset.state = shown;
		badge.textContent = STATE_LABELS[shown] || shown;
		badge.title = pageDenied || reason || '';
	}

	function toast(text, kind) {
		const box = document.getElementById('toasts') || document.body.appendChild(el('div', { id: 'toasts', class: 'toasts' }));
		const item = el('div', { class: 'toast' + (kind ? ' toast-' + kind : ''), role: 'status', text: text });
		box.appendChild(item);
		setTimeout(() => item.classList.add('toast-hide'), 4000);
		setTimeout(() => item.remove(), 4600);
	}

	function showBanner(text) {
		let banner = document.getElementById('banner');
		if (!text) {
			if (banner) {
				banner.remove();
			}
			return;
		}
		if (!banner) {
			banner = el('div', { id: 'banner', class: 'banner', role: 'alert' });
			document.getElementById('topbar').after(banner);
		}
		banner.replaceChildren(el('span', { class: 'banner-text', text: text }),
			el('button', { type: 'button', class: 'banner-close', 'aria-label': 'Dismiss', text: '×' }));
		banner.querySelector('button').onclick = () => banner.remove();
	}

	async function loadSession() {
		const response = await fetch('/api/me', { headers: { Accept: 'application/json' }, cache: 'no-store' });
		if (response.status === 401) {
			window.location.href = '/login';
			throw new Error('Login required');
		}
		me = await response.json();
		return me;
	}

	/** fetch() for the sample's API: JSON in and out, with the CSRF token. */
	async function api(method, url, body) {
		const headers = { Accept: 'application/json' };
		if (body !== undefined) {
			headers['Content-Type'] = 'application/json';
		}
		if (me && method !== 'GET') {
			headers[me.csrf.headerName] = me.csrf.token;
		}
		// Names this page's connection, so that the server's toOthers() does not echo our own change.
		Object.assign(headers, NotifyListen.originHeaders());
		const response = await fetch(url, {
			method: method,
			headers: headers,
			body: (body !== undefined) ? JSON.stringify(body) : undefined
		});
		let data = null;
		try {
			data = await response.json();
		}
		catch (ex) {
			data = null;
		}
		return { status: response.status, ok: response.ok, data: data, headers: response.headers };
	}

	NotifyListen.on('state', (event) => renderBadge(event.state, event.reason));
	let firstConnect = true;
	NotifyListen.on('connected', () => {
		// After a reconnect the session, and so the CSRF token for our own POSTs, may be new.
		if (!firstConnect) {
			loadSession().catch(() => {});
		}
		firstConnect = false;
	});

	const ready = loadSession().then(() => {
		renderTopBar();
		api('GET', '/api/broadcast').then((result) => showBanner(result.data && result.data.text));
		// Carol may not listen: no banner for her, and nothing to report about it either.
		NotifyListen.onNotice((msg) => {
			if (msg.entity === 'Broadcast' && msg.action === 'banner') {
				showBanner(msg.payload.text);
			}
		});
		return me;
	});

	window.App = {
		ready: ready,
		api: api,
		toast: toast,
		el: el,
		user: () => me,
		/** Mark the page's own subject as not listenable, so the badge says so. */
		denied: (reason) => {
			pageDenied = reason;
			renderBadge(NotifyListen.state);
		}
	};
})();
