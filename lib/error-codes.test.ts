/**
 * The list of error codes is closed and complete: every code the shipped source raises or
 * answers with is in it (the types check constructors; this also covers codes held in constants
 * and written into HTTP bodies), and every listed code is used somewhere. Packages shipped on
 * their own from a subfolder (the agent SDK, with its own package.json and codes) are not Warden's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from './error-codes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.tmp', '.warden-data', 'test', 'bench', 'scripts']);

function shipped(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // A folder with its own package.json ships on its own (the agent SDK), with its own codes.
      if (!SKIPPED_DIRS.has(entry.name) && !existsSync(path.join(full, 'package.json'))) shipped(full, out);
    } else if (entry.name.endsWith('.ts') && !/\.(test|suite)\.ts$/.test(entry.name) && !entry.name.startsWith('bench-')) out.push(full);
  }
  return out;
}

const sources = shipped(ROOT).map((file) => ({ file: path.relative(ROOT, file), text: readFileSync(file, 'utf8') }));
const listed = new Set(Object.keys(ERROR_CODES));

/** Values of `const NAME = 'VALUE'` across the source, to resolve codes held in constants. */
const constants = new Map<string, string>();
for (const { text } of sources) for (const m of text.matchAll(/\bconst ([A-Z][A-Z0-9_]*) = '([A-Z][A-Z0-9_]*)'/g)) constants.set(m[1]!, m[2]!);

function codesUsed(file: string, text: string): string[] {
  const found: string[] = [];
  // The first argument of an error constructor or of a helper that raises one: a literal or a constant.
  for (const m of text.matchAll(/\b(?:new (?:WardenError|PermanentError|RetryableError|ApiError)|refuse|fail)\(\s*(?:'([A-Z][A-Z0-9_]*)'|([A-Z][A-Z0-9_]*)\s*,)/g)) {
    const code = m[1] ?? constants.get(m[2]!);
    if (code !== undefined) found.push(code);
  }
  // Codes written into answers and error lists of the HTTP layer, and the decoder's table.
  if (/^(serve\/api|receive\/http)\//.test(file) || file === path.join('decode', 'otlp', 'otlp-errors.ts')) {
    for (const m of text.matchAll(/\b(?:code|[A-Z_]+): '([A-Z][A-Z0-9_]*)'/g)) found.push(m[1]!);
  }
  return found;
}

test('every code raised or answered in the shipped source is in the closed list', () => {
  const unlisted: string[] = [];
  let seen = 0;
  for (const { file, text } of sources) {
    for (const code of codesUsed(file, text)) {
      seen++;
      if (!listed.has(code)) unlisted.push(`${file}: ${code}`);
    }
  }
  assert.ok(seen > 50, `the scan found codes (${seen})`);
  assert.deepEqual(unlisted, [], 'add these to lib/error-codes.ts with their status, or use a listed code');
});

test('every listed code is used by the shipped source', () => {
  const everything = sources.filter((s) => s.file !== path.join('lib', 'error-codes.ts')).map((s) => s.text).join('\n');
  const unused = [...listed].filter((code) => !new RegExp(`'${code}'`).test(everything));
  assert.deepEqual(unused, [], 'codes nothing raises: remove them from the list');
});
