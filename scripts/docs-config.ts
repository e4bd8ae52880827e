/**
 * `npm run docs:config`: rewrites the README's settings table from the settings schema
 * (config/settings.ts). config/settings-doc.test.ts fails while the table is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from '../config/settings-doc.js';

const readme = new URL('../README.md', import.meta.url);
const before = readFileSync(readme, 'utf8');
const after = withSettingsTable(before);
if (after === before) process.stdout.write('README.md settings table is up to date\n');
else {
  writeFileSync(readme, after);
  process.stdout.write('README.md settings table rewritten from config/settings.ts\n');
}
