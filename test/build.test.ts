/**
 * The compiled build (scripts/build.mjs, into a fresh directory under .tmp/): the commands run
 * most often — `warden --help`, `warden sessions` (its help, and a run against no Warden) and
 * `warden hook`, which agents run around every tool call — load none of the storage engine,
 * Kafka client, SQL parser or HTTP server, nor does `warden start --help` (every loaded module
 * recorded by a loader hook, test/helpers/record-loads.mjs, which sees all four when `warden
 * start` loads the service); and the service runs from the build alone on Node without tsx: started from it, it
 * finds its rules, mappings, migrations and schema, normalizes on the compiled worker thread, and
 * `warden timeline` shows the span it was sent, classified.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers/wait-for.js';
import { runProcess, type CliRun } from './helpers/run-cli.js';
import type { TimelineAnswer } from '../serve/cli/timeline.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RECORDER = fileURLToPath(new URL('./helpers/record-loads.mjs', import.meta.url));
/** What the issue names: none may load for help, listing sessions or a hook call. */
const HEAVY = ['chdb', 'kafkajs', 'node-sql-parser', 'fastify'];
/** Development dependencies the build must not need at run time. */
const DEVELOPMENT = ['tsx', 'typescript', 'esbuild'];

let work: string;
let out: string;

function run(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<CliRun> {
  return runProcess(process.execPath, args, { cwd: work, env, stdin });
}

/** Package names in a record-loads file (`@scope/name` or `name`, from node_modules paths). */
function packagesIn(file: string): Set<string> {
  const names = new Set<string>();
  for (const m of readFileSync(file, 'utf8').matchAll(/node_modules\/((?:@[^/\n]+\/)?[^/\n]+)/g)) names.add(m[1]!);
  return names;
}

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let recordings = 0;
/** Runs the built `warden` with every loaded module recorded; returns the run and the packages. */
async function recorded(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<{ run: CliRun; packages: Set<string> }> {
  const file = path.join(work, `loads-${++recordings}.txt`);
  const result = await run(['--import', RECORDER, path.join(out, 'serve/cli/main.js'), ...args], { ...env, WARDEN_RECORD_LOADS: file }, stdin);
  return { run: result, packages: packagesIn(file) };
}

before(async () => {
  mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  // Inside the package, so the build resolves the package's node_modules as dist/ does.
  work = mkdtempSync(path.join(ROOT, '.tmp', 'build-test-'));
  out = path.join(work, 'dist');
  const built = await run([path.join(ROOT, 'scripts/build.mjs'), '--out-dir', out]);
  assert.equal(built.code, 0, `build failed:\n${built.stdout}${built.stderr}`);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('help, sessions and hook load none of chdb, kafkajs, node-sql-parser, fastify', async () => {
  const port = await closedPort();
  const nowhere = { WARDEN_URL: `http://127.0.0.1:${port}`, WARDEN_TOKEN: 'test-token', WARDEN_DATA_DIR: path.join(work, 'none') };
  const runs = {
    '--help': await recorded(['--help']),
    'sessions --help': await recorded(['sessions', '--help']),
    sessions: await recorded(['sessions'], nowhere),
    'hook claude-code': await recorded(['hook', 'claude-code'], nowhere, ''),
    'start --help': await recorded(['start', '--help']),
  };
  assert.equal(runs['--help'].run.code, 0, runs['--help'].run.stderr);
  assert.match(runs['--help'].run.stdout, /^ {2}verify-log \[options\] \[file\]/m);
  assert.match(runs['sessions --help'].run.stdout, /^Usage: warden sessions \[options\]/);
  assert.match(runs['start --help'].run.stdout, /^ {2}WARDEN_HTTP_PORT /m);
  assert.equal(runs.sessions.run.code, 1);
  assert.match(runs.sessions.run.stderr, new RegExp(`^warden sessions: UNREACHABLE: .*127\\.0\\.0\\.1:${port}`, 'm'));
  assert.notEqual(runs['hook claude-code'].run.stdout + runs['hook claude-code'].run.stderr, '', 'the hook says something');
  for (const [what, { packages }] of Object.entries(runs)) {
    assert.ok(packages.has('commander'), `${what}: the recording holds what loaded (commander)`);
    const loaded = HEAVY.filter((p) => packages.has(p));
    assert.deepEqual(loaded, [], `${what} loaded ${loaded.join(', ')}`);
  }
});

test('the recording sees them where they load: warden start loads the service', async () => {
  // A policy file that cannot be read stops it (POLICY_INVALID) once the whole service has loaded.
  const env = { WARDEN_DATA_DIR: path.join(work, 'control'), WARDEN_HTTP_PORT: '0', WARDEN_POLICY_FILE: path.join(work, 'no-such-policy.yaml') };
  const { run: start, packages } = await recorded(['start'], env);
  assert.equal(start.code, 1, start.stderr);
  assert.match(start.stderr, /POLICY_INVALID/);
  assert.deepEqual(
    HEAVY.filter((p) => !packages.has(p)),
    [],
  );
});

test('the service runs from the build alone: a span sent is normalized on the worker, classified and stored', async () => {
  const dataDir = path.join(work, 'data');
  const env = { WARDEN_DATA_DIR: dataDir, WARDEN_HTTP_PORT: '0', WARDEN_NORMALIZE_WORKER: 'true', WARDEN_LOG_LEVEL: 'warn' };
  const loads = path.join(work, 'loads-start.txt');
  const child = spawn(process.execPath, ['--import', RECORDER, path.join(out, 'serve/cli/main.js'), 'start'], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', ...env, WARDEN_RECORD_LOADS: loads },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const { url } = await waitFor(
      async () => ({ url: /OTLP\/HTTP\s+(http:\/\/\S+)\/v1\/traces/.exec(stdout)?.[1], exitCode: child.exitCode }),
      (s) => s.url !== undefined || s.exitCode !== null,
      { timeoutMs: 60_000, what: 'warden start to print where it listens' },
    );
    assert.ok(url, `warden start did not start:\n${stdout}\n${stderr}`);

    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const sent = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [attribute('session.id', 'build-1'), attribute('service.name', 'my-agent')] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '5b8efff798038103d269b633813fc60c',
                    spanId: 'eee19b7ec3c1b174',
                    name: 'execute_tool Bash',
                    startTimeUnixNano: now,
                    endTimeUnixNano: now,
                    attributes: [
                      attribute('gen_ai.operation.name', 'execute_tool'),
                      attribute('gen_ai.tool.name', 'Bash'),
                      attribute('gen_ai.tool.call.arguments', JSON.stringify({ command: 'git push --force origin main' })),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(sent.status, 200, await sent.text());

    const answer = await waitFor(
      () => run([path.join(out, 'serve/cli/main.js'), 'timeline', 'build-1', '--json', '--url', url], { WARDEN_DATA_DIR: dataDir }),
      (r) => r.code !== 0 || (JSON.parse(r.stdout) as TimelineAnswer).items.length > 0,
      { timeoutMs: 30_000, intervalMs: 250, what: 'the span stored' },
    );
    assert.equal(answer.code, 0, answer.stderr);
    const [item] = (JSON.parse(answer.stdout) as TimelineAnswer).items;
    assert.equal(item?.kind, 'call');
    assert.deepEqual(
      item.kind === 'call' ? { command: item.execution?.command, destructive: item.execution?.destructive } : undefined,
      { command: 'git push --force origin main', destructive: true },
    );
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const packages = packagesIn(loads);
  assert.ok(packages.has('fastify') && packages.has('chdb'), 'the recording holds the service');
  assert.deepEqual(
    DEVELOPMENT.filter((p) => packages.has(p)),
    [],
    'the build runs without development dependencies',
  );
});
