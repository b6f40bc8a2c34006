// Module hooks for the tests: an import of './client.js' from the source or a test finds
// client.ts (TypeScript's own convention for imports), which esbuild strips of its types.
import { transform } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, nextResolve) {
	if (/^\.\.?\/.*\.js$/.test(specifier) && context.parentURL) {
		const source = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
		if (existsSync(fileURLToPath(source))) {
			return { url: source.href, shortCircuit: true };
		}
	}
	return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
	if (!url.endsWith('.ts')) {
		return nextLoad(url, context);
	}
	const file = fileURLToPath(url);
	const { code } = await transform(await readFile(file, 'utf8'),
		{ loader: 'ts', format: 'esm', target: 'es2020', sourcefile: file, sourcemap: 'inline' });
	return { format: 'module', source: code, shortCircuit: true };
}
