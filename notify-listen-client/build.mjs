// Two outputs from src/: the ES module for bundlers (stompjs stays an import, so the application's
// bundler dedupes it) and the script the starter serves, with stompjs inside, so that a page needs
// one script tag.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });

await build({
	entryPoints: ['src/index.js'],
	outfile: 'dist/index.js',
	bundle: true,
	format: 'esm',
	platform: 'browser',
	target: 'es2020',
	external: ['@stomp/stompjs'],
	logLevel: 'warning'
});
await copyFile('src/index.d.ts', 'dist/index.d.ts');

await mkdir('dist/browser', { recursive: true });
await build({
	entryPoints: ['src/global.js'],
	outfile: 'dist/browser/notify-listen.js',
	bundle: true,
	format: 'iife',
	platform: 'browser',
	// What the hand-written script was written in: every browser with WebSocket workers runs it.
	target: 'es2017',
	minify: true,
	// stompjs' Apache-2.0 notice stays with its code.
	legalComments: 'inline',
	banner: { js: "/* notify-listen browser client (@notify-listen/client, notify-listen-client/src), with @stomp/stompjs (Apache-2.0, https://github.com/stomp-js/stompjs). */" },
	logLevel: 'warning'
});
