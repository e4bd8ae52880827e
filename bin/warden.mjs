#!/usr/bin/env node
// Entry point of the `warden` command: runs the compiled build in dist/ (`npm run build`, which
// `npm install` runs in a clone and `npm start` before starting). No TypeScript is compiled here;
// the tests run the .ts sources through tsx instead (test/helpers/run-cli.ts).
import { existsSync } from 'node:fs';

const main = new URL('../dist/serve/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('warden: no compiled build in dist/: run `npm run build` in the package first\n');
  process.exit(2);
}
await import(main.href);
