/**
 * The settings schema is the one list: every variable the code reads is declared in it (or is a
 * test-only variable), every declared one is printed by `warden start --help`, and the README's
 * settings table is the one generated from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../test/helpers/run-cli.js';
import { loadConfig } from './config.js';
import { settingsTable, TABLE_END, TABLE_START } from './settings-doc.js';
import { CLIENT_DEFAULTS } from './client-defaults.js';
import { SETTING_DEFAULTS, settingsInfo, TEST_ONLY_PREFIX, TEST_ONLY_VARIABLES } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.tmp', '.warden-data']);
const declared = new Set<string>(settingsInfo().map((s) => s.name));

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) sourceFiles(path.join(dir, entry.name), out);
    } else if (/\.(ts|mts|mjs|js)$/.test(entry.name)) out.push(path.join(dir, entry.name));
  }
  return out;
}

/** Tests, benchmarks and their helpers: what Warden itself never runs. */
function isTestOrBench(file: string): boolean {
  const rel = path.relative(ROOT, file);
  return /^(test|bench|scripts)\//.test(rel) || /\.(test|suite)\.ts$/.test(rel) || /(^|\/)bench-[^/]+\.ts$/.test(rel);
}

/** Reads like process.env.<name>, env.<name>, env[<quoted name>] (an object named env holds the environment here). */
const ENV_READ = /\b(?:process\.env|env)\s*(?:\.\s*([A-Z][A-Z0-9_]*)\b|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g;
/** A name shaped like one of Warden's variables (in help output). */
const SETTING_NAME = /\b(?:WARDEN|KAFKA|CLICKHOUSE|OTEL)_[A-Z0-9_]+\b/g;

function readsIn(text: string): string[] {
  return [...text.matchAll(ENV_READ)].map((m) => (m[1] ?? m[2])!);
}

const files = sourceFiles(ROOT).map((file) => ({ file: path.relative(ROOT, file), text: readFileSync(file, 'utf8'), testOnly: isTestOrBench(file) }));

test('every variable Warden reads is declared in the settings schema', () => {
  const undeclared: string[] = [];
  for (const { file, text, testOnly } of files) {
    if (testOnly || file === path.join('config', 'settings.ts')) continue;
    for (const name of new Set(readsIn(text))) {
      if (!declared.has(name)) undeclared.push(`${file}: ${name}`);
    }
  }
  assert.deepEqual(undeclared, [], 'declare these in config/settings.ts (type, default, description, mode)');
});

test('variables read by tests and benchmarks are settings or listed as test-only', () => {
  const testOnly = new Set(TEST_ONLY_VARIABLES);
  const unknown: string[] = [];
  for (const { file, text } of files.filter((f) => f.testOnly)) {
    for (const m of text.matchAll(/\bprocess\.env\.([A-Z][A-Z0-9_]*)\b/g)) {
      if (!declared.has(m[1]!) && !testOnly.has(m[1]!) && !m[1]!.startsWith(TEST_ONLY_PREFIX)) unknown.push(`${file}: ${m[1]}`);
    }
  }
  assert.deepEqual(unknown, [], 'a variable only tests or benchmarks read goes in TEST_ONLY_VARIABLES');
  for (const name of declared) assert.ok(!testOnly.has(name) && !name.startsWith(TEST_ONLY_PREFIX), `${name} is both a setting and test-only`);
});

test('warden start --help lists every declared variable with its default', async () => {
  const run = await runCli(['start', '--help']);
  assert.equal(run.code, 0, run.stderr);
  const listed = new Set(run.stdout.match(SETTING_NAME));
  const missing = settingsInfo().filter((s) => !listed.has(s.name)).map((s) => s.name);
  assert.deepEqual(missing, [], 'warden start --help omits these');
  for (const info of settingsInfo()) {
    const entry = run.stdout.slice(run.stdout.indexOf(`  ${info.name} `) === -1 ? run.stdout.indexOf(`  ${info.name}\n`) : run.stdout.indexOf(`  ${info.name} `));
    const upToNext = entry.slice(0, entry.search(/\n {2}[A-Z]/) === -1 ? undefined : entry.search(/\n {2}[A-Z]/) + 1);
    assert.match(upToNext.replace(/\s+/g, ' '), new RegExp(`\\(default ${escape(info.defaultText)}\\)`), `${info.name}'s default`);
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
}

test('the README settings table is generated from the schema (npm run docs:config)', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  assert.ok(start !== -1 && end > start, 'README.md has no settings table: run npm run docs:config');
  assert.equal(readme.slice(start, end + TABLE_END.length), settingsTable(), 'README.md settings table is stale: run npm run docs:config');
});

test('an unset variable takes the one default the schema declares', () => {
  const config = loadConfig({});
  assert.equal(config.http.port, SETTING_DEFAULTS.WARDEN_HTTP_PORT);
  assert.equal(config.queueMaxBytes, SETTING_DEFAULTS.WARDEN_QUEUE_MAX_BYTES);
  assert.equal(config.detection.revocationTopic, SETTING_DEFAULTS.KAFKA_TOPIC_REVOCATIONS);
  assert.equal(config.kafka.encodings.logs, SETTING_DEFAULTS.KAFKA_ENCODING_LOGS);
  assert.equal(config.wal.fsync, SETTING_DEFAULTS.WARDEN_WAL_FSYNC);
});

test('the shell hook client (which cannot import them) uses the schema\'s defaults', () => {
  const script = readFileSync(path.join(ROOT, 'bin', 'warden-hook'), 'utf8');
  assert.ok(script.includes(`\${WARDEN_HTTP_PORT:-${CLIENT_DEFAULTS.WARDEN_HTTP_PORT}}`), 'bin/warden-hook: WARDEN_HTTP_PORT default');
  assert.ok(script.includes(`\${WARDEN_HOOK_TIMEOUT_MS:-${CLIENT_DEFAULTS.WARDEN_HOOK_TIMEOUT_MS}}`), 'bin/warden-hook: WARDEN_HOOK_TIMEOUT_MS default');
  for (const name of ['WARDEN_HOOK_ASK', 'WARDEN_HOOK_TRANSPORT'] as const) {
    assert.ok(script.includes(`\${${name}:-${SETTING_DEFAULTS[name]}}`), `bin/warden-hook: ${name} default`);
  }
});
