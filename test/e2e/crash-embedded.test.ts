/**
 * End to end, embedded mode, a crash: `warden start` runs as its own process on a temporary data
 * directory; a few hundred OTLP/HTTP requests go to it at once — behind a few large ones that
 * keep the consumer busy, and ending with a burst of destructive commands from one session that
 * the detectors must revoke — and the process is killed with SIGKILL as soon as that burst is
 * answered, while other requests are still in flight — agents' hook calls too, whose receipts go
 * to a log of their own. Started again on the same directory, it must store every event of every
 * request it answered 200, and every hook call it decided, exactly once (none of the others
 * twice), and revoke the session, judged after the restart from what its write-ahead log kept.
 * Every file it created under the data directory is private (0600 files, 0700 directories).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { toolSpan } from '../helpers/tool-span.js';
import { waitFor } from '../helpers/wait-for.js';

// The sources through tsx, as test/helpers/run-cli.ts runs the command (never a stale build).
const MAIN = fileURLToPath(new URL('../../serve/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-crash-'));
/** Created by Warden itself, so its mode is Warden's doing. */
const dataDir = path.join(scratch, 'data');
const running = new Set<ChildProcess>();

after(() => {
  for (const child of running) child.kill('SIGKILL');
  fs.rmSync(scratch, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  exited: Promise<void>;
}

/** Starts `warden start` on the shared data directory and an ephemeral port; resolves once it listens. */
async function startWarden(env: Record<string, string> = {}): Promise<Started> {
  // The usual umask of a login shell (files 0644): Warden must make its files private itself.
  const umask = process.umask(0o022);
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'start', '--port', '0', '--data-dir', dataDir], {
    env: { PATH: process.env.PATH ?? '', WARDEN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.umask(umask);
  running.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const url = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`warden exited (${child.exitCode}) before listening:\n${output}`);
      return /OTLP\/HTTP\s+(http:\/\/\S+)\/v1\/traces/.exec(output)?.[1];
    },
    (u) => u !== undefined,
    { what: 'warden to listen', timeoutMs: 60_000 },
  );
  return { child, url: url!, output: () => output, exited };
}

function adminToken(): string {
  const token = /token:\s*(\S+)/.exec(fs.readFileSync(path.join(dataDir, 'tokens.yaml'), 'utf8'))?.[1];
  assert.ok(token, 'the token file holds the admin token');
  return token;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const res = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { rows: T[] }).rows;
}

interface Request {
  session: string;
  spanIds: string[];
  body: Uint8Array;
}

function request(session: string, commands: string[]): Request {
  const spans = commands.map((c) => toolSpan(session, c));
  return { session, spanIds: spans.map((s) => s.spanId), body: encodeOtlp('traces', spans, 'otlp_proto') };
}

/** True when answered 200; false for any other answer or a connection the kill cut. */
async function post(url: string, r: Request): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: r.body });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const DOOMED = 'crash-doomed';

/** A PreToolUse through the gate (Claude Code's HTTP hook); true when Warden decided it (its receipt is durable). */
async function hook(url: string, session: string, toolUseId: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/hooks/claude-code`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: session, cwd: '/repo', permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git status' }, tool_use_id: toolUseId }),
    });
    await res.text();
    return res.status === 200 && res.headers.get('warden-decision') === 'allow';
  } catch {
    return false;
  }
}

test('after kill -9, every event answered 200 is stored exactly once and the destructive session is revoked, judged after the restart', { timeout: 180_000 }, async () => {
  const first = await startWarden();

  const answered: Request[] = [];
  let sent = 0;
  const send = async (r: Request): Promise<void> => {
    sent++;
    if (await post(first.url, r)) answered.push(r);
  };
  let n = 0;
  const work = (): Request => request(`crash-work-${n % 25}`, ['git status', `npm test -- --grep case${n++}`]);

  // A first wave, stored and committed before the kill: the restart must not store it again.
  await Promise.all(Array.from({ length: 100 }, () => send(work())));
  await waitFor(
    () => query<{ n: string }>(first.url, `SELECT count() AS n FROM audit_events`),
    (rows) => Number(rows[0]?.n) >= 200,
    { what: 'the first wave in audit_events' },
  );
  // Then a stream of small requests, 16 at a time, that runs until the kill; large requests,
  // which keep the consumer busy while what follows queues up behind them; and the destructive
  // burst, one request after the other as an agent would send it. The kill comes as soon as
  // the burst is answered, while the stream's requests are in flight.
  let killed = false;
  const stream = Array.from({ length: 16 }, async () => {
    while (!killed) await send(work());
  });
  // Four agents' hook calls, one after the other each, until the kill.
  const decided: string[] = [];
  let calls = 0;
  const hooks = Array.from({ length: 4 }, async (_, agent) => {
    while (!killed) {
      const id = `toolu_crash_${agent}_${calls++}`;
      if (await hook(first.url, `crash-hook-${agent}`, id)) decided.push(id);
    }
  });
  for (let b = 0; b < 2; b++) await send(request(`crash-ballast-${b}`, Array.from({ length: 5_000 }, (_, i) => `cat notes/${b}-${i}.md`)));
  for (const dir of ['/var/lib/postgresql', '/srv/backups', '/home/dev/.ssh', '/etc/nginx', '/opt/data']) await send(request(DOOMED, [`rm -rf ${dir}`]));
  first.child.kill('SIGKILL');
  killed = true;
  const killedAt = Date.now();
  await Promise.all([...stream, ...hooks]);
  await first.exited;

  const answeredSpans = answered.flatMap((r) => r.spanIds);
  assert.equal(answered.filter((r) => r.session === DOOMED).length, 5, 'the whole destructive burst was answered before the kill');
  const log = fs.existsSync(path.join(dataDir, 'revocations.log')) ? fs.readFileSync(path.join(dataDir, 'revocations.log'), 'utf8') : '';
  assert.ok(!log.includes(DOOMED), 'the session was not judged before the kill (else this test would not show judgement after restart)');

  const second = await startWarden();
  const replayed = /"messages":(\d+)[^\n]*delivering again/.exec(second.output())?.[1] ?? '0';

  const smallAnswered = answered.filter((r) => !r.session.startsWith('crash-ballast-')).flatMap((r) => r.spanIds);
  const readStored = (): Promise<Array<{ span_id: string; n: string }>> =>
    query(second.url, `SELECT span_id, count() AS n FROM audit_events WHERE session_id NOT LIKE 'crash-ballast-%' AND session_id NOT LIKE 'crash-hook-%' GROUP BY span_id`);
  // Waits for every answered event; what is still missing at the deadline is reported below.
  const stored = await waitFor(readStored, (rows) => {
    const have = new Set(rows.map((r) => r.span_id));
    return smallAnswered.every((id) => have.has(id));
  }, { what: 'every answered event in audit_events', timeoutMs: 30_000 }).catch(readStored);
  const [ballastRows] = await query<{ events: string; distinct: string }>(
    second.url,
    `SELECT count() AS events, uniqExact(span_id) AS distinct FROM audit_events WHERE session_id LIKE 'crash-ballast-%'`,
  );
  const ballastAnswered = answered.filter((r) => r.session.startsWith('crash-ballast-')).reduce((n, r) => n + r.spanIds.length, 0);
  const counts = new Map(stored.map((r) => [r.span_id, Number(r.n)]));
  const readHooks = (): Promise<Array<{ id: string; n: string }>> =>
    query(second.url, `SELECT tool_call_id AS id, count() AS n FROM audit_events WHERE session_id LIKE 'crash-hook-%' GROUP BY tool_call_id`);
  const hookRows = await waitFor(readHooks, (rows) => {
    const have = new Set(rows.map((r) => r.id));
    return decided.every((id) => have.has(id));
  }, { what: 'every decided hook call in audit_events', timeoutMs: 30_000 }).catch(readHooks);
  const hookCounts = new Map(hookRows.map((r) => [r.id, Number(r.n)]));
  const missing = smallAnswered.filter((id) => !counts.has(id)).length;
  const doomed = await waitFor(
    async () => {
      const res = await fetch(`${second.url}/api/v1/sessions/${DOOMED}`, { headers: { authorization: `Bearer ${adminToken()}` } });
      return res.status === 200 ? ((await res.json()) as { state: string; revoked: { at: string; by: string } | null }) : null;
    },
    (s) => s?.state === 'revoked',
    { what: 'the destructive session to be revoked after the restart', timeoutMs: 30_000 },
  ).catch(() => null);

  console.log(
    `# requests sent ${sent}, answered 200 ${answered.length} (${answeredSpans.length} events); ` +
      `replayed from the write-ahead log after the kill: ${replayed} messages; ` +
      `stored: ${stored.length} small-request events + ${ballastRows?.events} ballast events; missing ${missing}; ` +
      `hook calls decided ${decided.length} of ${calls}, stored ${decided.filter((id) => hookCounts.has(id)).length}; ` +
      `revoked ${DOOMED} at ${doomed?.revoked?.at} by ${doomed?.revoked?.by}`,
  );
  assert.equal(missing, 0, `${missing} of ${smallAnswered.length} events answered 200 are not in audit_events`);
  for (const id of smallAnswered) assert.equal(counts.get(id), 1, `event ${id} stored exactly once`);
  for (const [id, n] of counts) assert.ok(n <= 1, `event ${id} stored ${n} times`);
  assert.ok(decided.length > 0, 'hook calls were decided before the kill');
  for (const id of decided) assert.equal(hookCounts.get(id), 1, `hook call ${id}, decided before the kill, stored exactly once`);
  for (const [id, n] of hookCounts) assert.ok(n <= 1, `hook call ${id} stored ${n} times`);
  assert.equal(Number(ballastRows?.distinct), Number(ballastRows?.events), 'no ballast event stored twice');
  assert.ok(Number(ballastRows?.distinct) >= ballastAnswered, 'every answered ballast event stored');
  assert.equal(doomed?.state, 'revoked', `${DOOMED} is revoked after the restart`);
  assert.ok(Date.parse(doomed!.revoked!.at) >= killedAt, `revoked after the restart (${doomed!.revoked!.at})`);
  assert.ok(Number(replayed) > 0, 'the restart delivered messages from the write-ahead log');

  // Everything Warden created under its data directory is its owner's only.
  const open: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      const mode = fs.statSync(file).mode & 0o777;
      if (mode !== (entry.isDirectory() ? 0o700 : 0o600)) open.push(`${mode.toString(8)} ${path.relative(dataDir, file)}`);
      if (entry.isDirectory()) walk(file);
    }
  };
  walk(dataDir);
  assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
  assert.deepEqual(open.slice(0, 10), [], `${open.length} entries under the data directory are not private`);

  second.child.kill('SIGTERM');
  await second.exited;
});
