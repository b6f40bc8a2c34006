// Lets `node --test` run the TypeScript source as it is: `node --import ./test/typescript.mjs`.
import { register } from 'node:module';

register('./typescript-hooks.mjs', import.meta.url);
