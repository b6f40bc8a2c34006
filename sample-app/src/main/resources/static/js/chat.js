/* The lobby: lines arrive as ChatRoom/lobby/message with the line in the payload. */
(function () {
	'use strict';

	const list = document.getElementById('chat-lines');
	const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' });
	const shown = new Set();

	function append(line) {
		// Our own line comes back twice: as the POST's answer and as a notification.
		if (shown.has(line.id)) {
			return;
		}
		shown.add(line.id);
		list.appendChild(App.el('li', { class: 'chat-line' }, [
			App.el('span', { class: 'chat-author', text: line.author }),
			App.el('span', { class: 'chat-text', text: line.text }),
			App.el('time', { class: 'chat-time', datetime: line.postedAt, text: time.format(new Date(line.postedAt)) })
		]));
		document.getElementById('chat-empty').hidden = true;
		list.scrollTop = list.scrollHeight;
	}

	async function load() {
		const result = await App.api('GET', '/api/chat/lobby');
		(result.data || []).forEach(append);
	}

	App.ready.then(() => {
		NotifyListen.listen('ChatRoom', 'lobby', { message: (msg) => append(msg.payload) }, {
			denied: (reason) => App.toast('Live chat is off for you: ' + reason, 'error'),
			resubscribed: () => load()
		});
		load();
	});

	document.getElementById('chat-form').addEventListener('submit', async (event) => {
		event.preventDefault();
		const input = document.getElementById('chat-text');
		const result = await App.api('POST', '/api/chat/lobby', { text: input.value });
		if (result.ok) {
			input.value = '';
			append(result.data);
		}
		else {
			App.toast((result.data && result.data.error) || 'Could not send (' + result.status + ')', 'error');
		}
	});
})();
