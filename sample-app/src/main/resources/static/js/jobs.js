/* Start a job and follow Job/<id>/progress and Job/<id>/done. */
(function () {
	'use strict';

	const button = document.getElementById('start-job');

	function show(percent, text) {
		document.getElementById('job').hidden = false;
		document.getElementById('job-bar').style.width = percent + '%';
		document.querySelector('.progress').setAttribute('aria-valuenow', String(percent));
		document.getElementById('job-percent').textContent = percent + '%';
		document.getElementById('job-text').textContent = text;
	}

	button.addEventListener('click', async () => {
		button.disabled = true;
		show(0, 'Waiting to start');
		const created = await App.api('POST', '/api/jobs');
		if (!created.ok) {
			App.toast('Could not create a job (' + created.status + ')', 'error');
			button.disabled = false;
			return;
		}
		const job = created.data;
		const handle = NotifyListen.listen('Job', job.id, {
			progress: (msg) => show(msg.payload.percent, msg.payload.text),
			done: (msg) => {
				show(100, msg.payload.text);
				document.getElementById('job').classList.add('job-done');
				App.toast('Job finished', 'success');
				handle.stop();
				button.disabled = false;
			}
		});
		try {
			// Start only once both channels are subscribed, or the first steps would be lost.
			await handle.ready;
		}
		catch (ex) {
			App.toast('Cannot follow jobs: ' + ex.message, 'error');
		}
		await App.api('POST', '/api/jobs/' + job.id + '/start');
	});
})();
