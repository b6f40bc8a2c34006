// Two outputs from src/: the ES module for bundlers (stompjs stays an import, so the application's
// bundler dedupes it) and the script the starter serves, with stompjs inside, so that a page needs
// one script tag; and the declarations, generated from the source by tsc.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });

// Type-checks the source (strict) and writes dist/*.d.ts; a type error stops the build.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { stdio: 'inherit' });
// The package ships the declarations index.d.ts reaches (the public types), not the internals'.
const reached = new Set();
for (const next = ['index.d.ts']; next.length > 0;) {
	const file = next.pop();
	if (!reached.has(file)) {
		reached.add(file);
		const text = await readFile('dist/' + file, 'utf8');
		next.push(...[...text.matchAll(/from '\.\/([\w-]+)\.js'/g)].map((m) => m[1] + '.d.ts'));
	}
}
for (const file of await readdir('dist')) {
	if (file.endsWith('.d.ts') && !reached.has(file)) {
		await rm('dist/' + file);
	}
}

await build({
	entryPoints: ['src/index.ts'],
	outfile: 'dist/index.js',
	bundle: true,
	format: 'esm',
	platform: 'browser',
	target: 'es2020',
	external: ['@stomp/stompjs'],
	logLevel: 'warning'
});

await build({
	entryPoints: ['src/global.ts'],
	outfile: 'dist/browser/notify-listen.js',
	bundle: true,
	format: 'iife',
	platform: 'browser',
	// What the hand-written script was written in: every browser with WebSocket workers runs it.
	target: 'es2017',
	minify: true,
	// Members internal to the client are named `_…` (as in centrifuge-js), and so are stompjs' own:
	// shortened, they keep the served script small although the client is split into classes. No
	// code reads such a member by a computed name, in the client or in stompjs.
	mangleProps: /^_/,
	// stompjs' Apache-2.0 notice stays with its code.
	legalComments: 'inline',
	banner: { js: "/* @notify-listen/client, with @stomp/stompjs (Apache-2.0) */" },
	logLevel: 'warning'
});
