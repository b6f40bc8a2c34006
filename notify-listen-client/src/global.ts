/*
 * The script the starter serves at /notify-listen/notify-listen.js: the same client as the ES
 * module, with stompjs inside, as window.NotifyListen.
 */
import { createNotifyListen } from './index.js';
import type { NotifyListenClient } from './types.js';

declare global {
	interface Window {
		/** The page's client, from the script the starter serves. */
		NotifyListen: NotifyListenClient;
	}
}

const SCRIPT_PATH = '/notify-listen/notify-listen.js';

// The application's context root is where this script was served from: read it now, while the
// script runs, since document.currentScript is null afterwards.
function baseUrlOfScript(): string {
	const script = document.currentScript as HTMLScriptElement | null;
	if (script && script.src) {
		const url = new URL(script.src, window.location.href);
		if (url.pathname.endsWith(SCRIPT_PATH)) {
			return url.origin + url.pathname.slice(0, -SCRIPT_PATH.length);
		}
	}
	return window.location.origin;
}

window.NotifyListen = createNotifyListen({ baseUrl: baseUrlOfScript() });
