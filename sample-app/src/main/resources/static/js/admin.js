/* Send or clear the banner every page shows. */
(function () {
	'use strict';

	async function send(text) {
		const result = await App.api('POST', '/api/broadcast', { text: text });
		App.toast(result.ok ? (text ? 'Banner sent' : 'Banner cleared') : 'Could not send (' + result.status + ')',
			result.ok ? 'success' : 'error');
	}

	document.getElementById('banner-form').addEventListener('submit', (event) => {
		event.preventDefault();
		send(document.getElementById('banner-text').value);
	});
	document.getElementById('clear-banner').addEventListener('click', () => {
		document.getElementById('banner-text').value = '';
		send('');
	});
})();
