/**
 * The benchmarks' background load, in a process of its own: ordinary agent work (benign commands,
 * never revoking) posted to Warden's OTLP/HTTP receiver at a fixed rate, 50 spans per request
 * from 50 sessions. Started by `WardenProcess.backgroundLoad` with its settings as one JSON
 * argument; reports what it sent over the IPC channel (`counters`, every 100 ms and when it
 * stops) and stops on a `stop` message or when its parent goes.
 *
 * Its own process because the load's request bodies are encoded before it starts (so the encoding
 * does not compete with Warden during a measurement): a few hundred MB of buffers. In the process
 * that starts the hook clients, they made every process it started take 15–30 ms longer (the fork
 * copies the parent's memory map), which a bench then counted as the hook's time. The agent that
 * runs a hook holds no such load.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { encodeOtlp } from '../decode/otlp/index.js';
import { toolSpan } from '../test/helpers/tool-span.js';

export interface LoadSettings {
  base: string;
  spansPerSecond: number;
  /** Seconds of request bodies encoded before the load starts; past them, bodies are encoded as sent. */
  seconds: number;
  /** `shared`: one resource per request, as SDKs export; `per-span`: one per span (the load before 2026-12-04). */
  resource: string;
}

export interface LoadCounters {
  type: 'counters';
  /** Spans Warden accepted (HTTP 200). */
  sent: number;
  refused: number;
  /** Requests not sent because MAX_LOAD_IN_FLIGHT were unanswered (Warden behind). */
  skipped: number;
}

const BENIGN = ['git status', 'npm test', 'ls -la src', 'cat package.json', 'git diff --stat', 'rg TODO src', 'node --version', 'git log --oneline -5'];
const PER_REQUEST = 50;
const SESSIONS = 50;
/** Load requests that may wait for their answer at once. */
const MAX_LOAD_IN_FLIGHT = 64;

const settings = JSON.parse(process.argv[2] ?? '{}') as LoadSettings;
const dispatcher = new Agent({ connections: 16, pipelining: 1 });

const bodyOf = (i: number): Uint8Array => {
  const sessionId = `load-${i % SESSIONS}`;
  const spans = Array.from({ length: PER_REQUEST }, (_, j) => toolSpan(sessionId, BENIGN[(i + j) % BENIGN.length]!));
  // An agent's OTel SDK exports its spans under its one resource: a request of one session's
  // spans carries one ResourceSpans.
  if (settings.resource !== 'per-span') for (const span of spans) span.resource = spans[0]!.resource;
  return encodeOtlp('traces', spans, 'otlp_proto');
};

const postBody = async (body: Uint8Array): Promise<number> => {
  const res = await request(`${settings.base}/v1/traces`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-protobuf' }, body });
  await res.body.dump();
  return res.statusCode;
};

const prepared: Array<Uint8Array | undefined> = [];
const requests = Math.ceil((settings.seconds * settings.spansPerSecond) / PER_REQUEST);
for (let i = 1; i <= requests; i++) {
  prepared.push(bodyOf(i));
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}

let running = settings.spansPerSecond > 0;
const counters: LoadCounters = { type: 'counters', sent: 0, refused: 0, skipped: 0 };
const report = (): void => {
  if (process.connected) process.send?.(counters);
};
process.on('message', (message) => {
  if (message === 'stop') running = false;
});
process.on('disconnect', () => (running = false));
const reporting = setInterval(report, 100);
process.send?.({ type: 'started' });

// Requests still unanswered: past MAX_LOAD_IN_FLIGHT a request is skipped, not queued, so a
// Warden that cannot keep up shows as a lower load rate and a growing backlog instead of a
// client-side queue that makes the run last until everything drains.
let inFlight = 0;
const interval = (1000 * PER_REQUEST) / Math.max(1, settings.spansPerSecond);
let next = performance.now();
for (let i = 1; running; i++) {
  if (inFlight >= MAX_LOAD_IN_FLIGHT) counters.skipped++;
  else {
    const body = prepared[i - 1] ?? bodyOf(i);
    prepared[i - 1] = undefined; // sent once: let it go
    inFlight++;
    void postBody(body)
      .then((status) => (status === 200 ? (counters.sent += PER_REQUEST) : counters.refused++), () => counters.refused++)
      .finally(() => inFlight--);
  }
  next += interval;
  const wait = next - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
clearInterval(reporting);
report();
process.disconnect?.();
await dispatcher.close();
