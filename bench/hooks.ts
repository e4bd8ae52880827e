/**
 * The gate from the agent's side: one hook call, process start to decision printed, with four
 * agents hooking at once while a background load of 5,000 spans/s of ordinary agent work keeps
 * Warden busy — through the shell client (`bin/warden-hook`, what the README installs: bash alone
 * against a Warden on this machine, and on its curl transport, what runs without bash), through
 * `warden hook` (a Node process), and as Claude Code's HTTP hook (one POST, no process); plus the
 * decision's own time inside Warden (`server-timing`). Baselines measured in the same run and on
 * the same machine: `node -e 0` (a process that does nothing) and `curl` of `/healthz`.
 * The shell client is started as an agent starts a command hook, through its shell (`/bin/sh -c
 * '<client>' claude-code`; until 2026-12-04 the bench ran `/bin/sh <client>`, one program fewer).
 * Every fourth call is a destructive one that the gate must deny (never-touch scope), so the
 * figures include real decisions, not only allows. A deny revokes its session (the default
 * policy), so each destructive call comes from a session of its own, declared beforehand; the
 * ordinary calls come from one long session per agent. A wrong answer (an ordinary call denied,
 * a destructive one allowed) is counted. Prints figures; asserts nothing.
 *
 * An agent hooks a tool call, runs it and waits for its model before the next one: each agent's
 * calls here are `BENCH_HOOK_GAP_MS` apart (default 250 ms, shorter than any agent turn
 * recorded: a PreToolUse, the tool running, a PostToolUse and the model choosing the next call).
 * The shell client is also run back to back (no gap, four processes spawned without pause), a
 * stress figure printed beside the paced one.
 *
 * Two more lines split a call's time. The shell client against a server that answers at once
 * (answer-at-once.ts, a process of its own, in the same run and under the same load) is the
 * client's own floor: its programs starting and bash speaking HTTP, none of Warden's time. And
 * the HTTP hook on a new connection per call, as the shell client's every call is, against the
 * kept-alive one Claude Code's HTTP hook uses: what accepting a connection costs in Warden.
 *
 * The calls are timed after a warm-up of the same load and HTTP hook calls
 * (`BENCH_WARMUP_SECONDS`, default 30): a Warden just started spends its first half minute
 * compiling its hot code, which a Warden that runs for weeks does not.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { toolSpan } from '../test/helpers/tool-span.js';
import { benchPort, percentile, ROOT, startWardenProcess, walSyncLine } from './warden-process.js';
import { fileURLToPath } from 'node:url';

const AGENTS = 4;
const CALLS = Number(process.env.BENCH_HOOK_CALLS ?? 100);
const NODE_CALLS = Math.max(5, Math.round(CALLS / 5));
const BACK_TO_BACK_CALLS = Math.max(8, Math.round(CALLS / 2));
const LOAD_SPANS_PER_SECOND = Number(process.env.BENCH_HOOK_LOAD ?? 5_000);
const SHELL_CLIENT = path.join(ROOT, 'bin/warden-hook');
const WARDEN = path.join(ROOT, 'bin/warden.mjs');
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
const GAP_MS = Number(process.env.BENCH_HOOK_GAP_MS ?? 250);
const ANSWER_AT_ONCE = fileURLToPath(new URL('./answer-at-once.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** The server that answers at once, in a session of its own (as Warden runs); stopped with the bench. */
async function startAnswerAtOnce(): Promise<{ base: string; stop(): void }> {
  const port = benchPort();
  const child = spawn(process.execPath, ['--import', TSX, ANSWER_AT_ONCE, String(port)], { detached: true, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the answering server exited (${code}) before it listened`)));
  });
  const stop = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  return { base: `http://127.0.0.1:${port}`, stop };
}

function run(command: string, args: string[], stdin: string, env: Record<string, string> = {}): Promise<{ ms: number; stdout: string; code: number | null; at: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const at = performance.timeOrigin + started;
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, stdout, code, at, pid: child.pid ?? 0 }));
    child.stdin.on('error', () => {}); // a process that never reads its stdin (node -e 0) closes it early
    child.stdin.end(stdin);
  });
}

const sessionOf = (client: string, agent: number, call: number, harmful: boolean): string => (harmful ? `hook-bench-${client}-${agent}-${call}` : `hook-bench-${client}-${agent}`);

function payload(client: string, agent: number, call: number): { body: string; harmful: boolean } {
  const harmful = call % 4 === 3;
  const command = harmful ? 'rm -rf /srv/prod/db' : ['git status', 'npm test', 'ls -la src', 'cat package.json'][call % 4]!;
  const body = { session_id: sessionOf(client, agent, call, harmful), transcript_path: '/x.jsonl', cwd: '/home/dev/repo', permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: `toolu_${agent}_${call}_${Math.random().toString(36).slice(2, 8)}` };
  return { body: JSON.stringify(body), harmful };
}

function line(name: string, ms: number[], note = ''): string {
  const s = [...ms].sort((a, b) => a - b);
  return `  ${name.padEnd(46)} p50 ${percentile(s, 50).toFixed(1).padStart(6)} ms · p99 ${percentile(s, 99).toFixed(1).padStart(6)} ms · n ${s.length}${note ? ` · ${note}` : ''}`;
}

/** `agents` loops of `calls` each, at once, `gap` ms between an agent's calls; returns every call's time and how many denials were wrong. */
async function concurrently(agents: number, calls: number, once: (agent: number, call: number) => Promise<{ ms: number; denied: boolean; harmful: boolean }>, gap = GAP_MS): Promise<{ ms: number[]; wrong: number }> {
  const ms: number[] = [];
  let wrong = 0;
  await Promise.all(
    Array.from({ length: agents }, async (_, agent) => {
      // Agents start apart, as they would: not all four at the same instant.
      await new Promise((r) => setTimeout(r, (agent * gap) / agents));
      for (let call = 0; call < calls; call++) {
        if (call > 0 && gap > 0) await new Promise((r) => setTimeout(r, gap));
        const r = await once(agent, call);
        ms.push(r.ms);
        if (r.denied !== r.harmful) wrong++;
      }
    }),
  );
  return { ms, wrong };
}

/**
 * A round trip waits for Warden's event loop: its delay (sampled every 10 ms by /metrics), the GC
 * pauses on it, and how busy the process was, over the window between two scrapes.
 */
const mb = (bytes: number | undefined): string => (bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(0));

function eventLoop(before: Map<string, number>, after: Map<string, number>, seconds: number): string {
  const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const gc = ['minor', 'major', 'incremental']
    .map((kind) => [kind, delta(`nodejs_gc_duration_seconds_count{kind="${kind}"}`), delta(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`)] as const)
    .filter(([, count]) => count > 0)
    .map(([kind, count, sum]) => `${kind} ${count} × ${((sum / count) * 1000).toFixed(1)} ms`);
  return [
    `delay p50 ${((after.get('nodejs_eventloop_lag_p50_seconds') ?? NaN) * 1000).toFixed(1)} ms, p99 ${((after.get('nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000).toFixed(1)} ms, max ${((after.get('nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000).toFixed(1)} ms`,
    `GC ${gc.join(', ') || 'none'}`,
    `CPU ${Math.round((100 * delta('process_cpu_seconds_total')) / seconds)}% of one core`,
    `memory at the end ${mb(after.get('process_resident_memory_bytes'))} MB resident, JS heap ${mb(after.get('nodejs_heap_size_used_bytes'))} of ${mb(after.get('nodejs_heap_size_total_bytes'))} MB (main thread)`,
  ].join('; ');
}

// BENCH_CALLS_FILE: each shell client call as a CSV line (started at, epoch ms; round trip ms; transport; the process id), to see when and why slow ones happened.
const callLines: string[] = [];
const warden = await startWardenProcess();
const atOnce = await startAnswerAtOnce();
// The HTTP hook calls get connections of their own, as an agent's hooks would: on the background
// load's pool (16 connections, up to 64 requests waiting) they queued behind load requests in this
// process, which the round trip then counted.
const hookDispatcher = new Agent({ connections: AGENTS, pipelining: 1 });
try {
  // Every session declares a never-touch scope first, so its harmful calls are denied.
  const declared = [];
  for (const [client, calls] of [['shell', 2 * CALLS + BACK_TO_BACK_CALLS], ['node', NODE_CALLS], ['http', CALLS]] as const) {
    for (let agent = 0; agent < AGENTS; agent++) {
      for (let call = 0; call < calls; call++) if (call % 4 === 3 || call === 0) declared.push(toolSpan(sessionOf(client, agent, call, call % 4 === 3), 'git status', { 'warden.scope.deny': ['/srv/prod/**'] }));
    }
  }
  for (let i = 0; i < declared.length; i += 200) await warden.post(declared.slice(i, i + 200));
  await new Promise((r) => setTimeout(r, 1_000));
  process.stdout.write(`\nHook round trip (process start → decision printed), ${AGENTS} agents at once, background load ${LOAD_SPANS_PER_SECOND.toLocaleString('en-US')} spans/s:\n`);

  const nodeBaseline: number[] = [];
  for (let i = 0; i < 20; i++) nodeBaseline.push((await run(process.execPath, ['-e', '0'], '')).ms);
  const curlBaseline: number[] = [];
  for (let i = 0; i < 20; i++) curlBaseline.push((await run('curl', ['-s', '-o', '/dev/null', `${warden.base}/healthz`], '')).ms);

  const load = await warden.backgroundLoad(LOAD_SPANS_PER_SECOND, WARMUP_SECONDS + 150);
  await new Promise((r) => setTimeout(r, 2_000));
  if (WARMUP_SECONDS > 0) {
    const until = performance.now() + WARMUP_SECONDS * 1000;
    let calls = 0;
    await Promise.all(
      Array.from({ length: AGENTS }, async (_, agent) => {
        for (let call = 0; performance.now() < until; call++, calls++) {
          const res = await request(`${warden.base}/api/v1/hooks/claude-code`, { method: 'POST', dispatcher: hookDispatcher, headers: { 'content-type': 'application/json' }, body: payload('warm', agent, call).body });
          await res.body.dump();
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    process.stdout.write(`  warm-up (not counted): ${WARMUP_SECONDS} s of the load and ${calls} HTTP hook calls right after start\n`);
  }
  if (GAP_MS > 0) process.stdout.write(`  each agent's calls ${GAP_MS} ms apart (an agent runs the tool and waits for its model between hooks)\n`);
  const loadAt = load.spans();
  const started = performance.now();
  const metricsAtStart = await warden.scrape(); // also resets Warden's event-loop delay percentiles

  const shellCall = async (agent: number, call: number, transport = 'auto', base = warden.base): Promise<{ ms: number; denied: boolean; harmful: boolean }> => {
    const { body, harmful } = payload('shell', agent, call);
    // As an agent starts a command hook: its shell runs the configured command (`warden-hook
    // claude-code`), which the kernel starts by its #!/bin/sh line: three programs in all with bash.
    const r = await run('/bin/sh', ['-c', `'${SHELL_CLIENT}' claude-code`], body, { WARDEN_URL: base, WARDEN_HOOK_TIMEOUT_MS: '10000', WARDEN_HOOK_TRANSPORT: transport });
    callLines.push(`${r.at.toFixed(1)},${r.ms.toFixed(2)},${base === warden.base ? transport : `${transport}-at-once`},${r.pid}`);
    return { ms: r.ms, denied: r.stdout.includes('"deny"'), harmful };
  };
  // The two transports take turns in one paced run (four calls each, one of them harmful), so
  // both meet the same moment of the machine; each gets CALLS calls per agent.
  const shell = { ms: [] as number[], wrong: 0 };
  const shellCurl = { ms: [] as number[], wrong: 0 };
  await concurrently(AGENTS, 2 * CALLS, async (agent, call) => {
    const onCurl = call % 8 >= 4;
    const r = await shellCall(agent, call, onCurl ? 'curl' : 'auto');
    const into = onCurl ? shellCurl : shell;
    into.ms.push(r.ms);
    if (r.denied !== r.harmful) into.wrong++;
    return { ...r, denied: r.harmful }; // counted per transport above
  });
  const shellBackToBack = await concurrently(AGENTS, BACK_TO_BACK_CALLS, (agent, call) => shellCall(agent, 2 * CALLS + call), 0);
  // The client's own floor: the same calls, paced alike, to a server that answers at once (every answer an allow, so its denials are not counted).
  const shellFloor = await concurrently(AGENTS, CALLS, async (agent, call) => ({ ...(await shellCall(agent, call, 'auto', atOnce.base)), denied: false, harmful: false }));
  const node = await concurrently(AGENTS, NODE_CALLS, async (agent, call) => {
    const { body, harmful } = payload('node', agent, call);
    const r = await run(process.execPath, [WARDEN, 'hook', 'claude-code'], body, { WARDEN_URL: warden.base, WARDEN_HOOK_TIMEOUT_MS: '10000' });
    return { ms: r.ms, denied: r.stdout.includes('"deny"'), harmful };
  });
  const inside: number[] = [];
  const receipt: number[] = [];
  const httpCall = async (agent: number, call: number, fresh: boolean): Promise<{ ms: number; denied: boolean; harmful: boolean }> => {
    const { body, harmful } = payload('http', agent, call);
    const t0 = performance.now();
    // `connection: close`: a connection of its own, made and closed with the call, as the shell client's.
    const headers = { 'content-type': 'application/json', ...(fresh ? { connection: 'close' } : {}) };
    const res = await request(`${warden.base}/api/v1/hooks/claude-code`, { method: 'POST', dispatcher: hookDispatcher, headers, body });
    const text = await res.body.text();
    const ms = performance.now() - t0;
    if (!fresh) {
      const timing = String(res.headers['server-timing'] ?? '');
      const gate = /gate;dur=([0-9.]+)/.exec(timing);
      if (gate) inside.push(Number(gate[1]));
      const taken = /receipt;dur=([0-9.]+)/.exec(timing);
      if (taken) receipt.push(Number(taken[1]));
    }
    return { ms, denied: text.includes('"deny"'), harmful };
  };
  const http = await concurrently(AGENTS, CALLS, (agent, call) => httpCall(agent, call, false));
  // Its harmful calls come from sessions the kept-alive run above revoked already: denied all the same.
  const httpFresh = await concurrently(AGENTS, Math.ceil(CALLS / 2), (agent, call) => httpCall(agent, call, true));
  const elapsed = (performance.now() - started) / 1000;
  const metricsAtEnd = await warden.scrape();
  await load.stop();
  const loadRate = Math.round((load.spans() - loadAt) / elapsed);

  process.stdout.write(
    [
      line('baseline: node -e 0', nodeBaseline, 'alone, before the load'),
      line('baseline: curl /healthz', curlBaseline, 'alone, before the load'),
      line('shell client (bash; started as an agent does)', shell.ms, `${shell.wrong} wrong answers · target p99 ≤ 50 ms`),
      line('shell client, back to back (no gap: stress)', shellBackToBack.ms, `${shellBackToBack.wrong} wrong answers`),
      line('shell client on curl, taking turns with it', shellCurl.ms, `${shellCurl.wrong} wrong answers · WARDEN_HOOK_TRANSPORT=curl: sh, cat and curl`),
      line('warden hook (Node process)', node.ms, `${node.wrong} wrong answers`),
      line('shell client, to a server answering at once', shellFloor.ms, "the client's own floor, same load: its programs and bash's HTTP, no Warden"),
      line("HTTP hook (Claude Code's type: http)", http.ms, `${http.wrong} wrong answers`),
      line('HTTP hook, a new connection per call', httpFresh.ms, `${httpFresh.wrong} wrong answers · as the shell client connects: accepting it is Warden's`),
      line('decision inside Warden (server-timing)', inside, 'target p99 ≤ 5 ms'),
      line('its receipt written and synced (server-timing)', receipt, 'the record in the write-ahead log, before the answer'),
      `  background load during the calls: ${loadRate.toLocaleString('en-US')} spans/s (${load.refused()} requests refused, ${load.skipped()} not sent while 64 waited for Warden)`,
      `  what held Warden's event loop during the calls: ${eventLoop(metricsAtStart, metricsAtEnd, elapsed)}`,
      `  ${walSyncLine(metricsAtStart, metricsAtEnd)}`,
      '',
    ].join('\n'),
  );
  if (process.env.BENCH_CALLS_FILE) fs.writeFileSync(process.env.BENCH_CALLS_FILE, callLines.join('\n') + '\n');
} finally {
  atOnce.stop();
  await hookDispatcher.close();
  await warden.stop();
}
