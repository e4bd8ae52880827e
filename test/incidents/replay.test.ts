/**
 * The replay without a Warden: every recorded session converts into OTLP export requests that
 * the real decoder reads back (in the session's encoding and the other one, giving the same
 * events) and the real normalizer turns into AuditEvents carrying the session id, the declared
 * goal, scope and environment, one intent and one execution per tool call paired by id, and the
 * recorded timing. Then the sender against a small local OTLP endpoint: pacing by `speed`,
 * stamps never in the future, and a hook denial honoured like a real hook would.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { createNormalizer } from '../../normalize/index.js';
import { realDeps } from '../../normalize/test-kit.js';
import { decodeOtlp, encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedRecord } from '../../decode/otlp/records.js';
import { loadIncidentSessions, replaySession, sessionRecords, type IncidentSession } from '../../serve/demo/replay.js';
import { SOURCES } from '../../serve/demo/session-file.js';
import { planSession, writesIntents } from '../../serve/demo/timeline.js';
import { DEFAULT_ENCODING } from '../../serve/demo/wire/index.js';

const SESSIONS_DIR = new URL('../../serve/demo/sessions/', import.meta.url).pathname;
const sessions = loadIncidentSessions(SESSIONS_DIR);
const BASE_MS = Date.UTC(2026, 10, 21, 9, 0, 0);

function normalized(session: IncidentSession, sessionId: string, encoding: 'otlp_json' | 'otlp_proto'): AuditEvent[] {
  const { signal, records } = sessionRecords(session, sessionId, BASE_MS);
  const decoded: DecodedRecord[] = [];
  for (const r of records) decoded.push(...decodeOtlp(signal, encodeOtlp(signal, [r.record], encoding), encoding));
  return createNormalizer(realDeps()).normalize(decoded, {});
}

const ms = (ns: string): number => Number(BigInt(ns) / 1_000_000n);

describe('the recorded sessions', () => {
  it('are a measurable set: seeds a-g, more benign than incidents, every wire shape, scoped and unscoped', () => {
    const incidents = sessions.filter((s) => s.kind === 'incident');
    const benign = sessions.filter((s) => s.kind === 'benign');
    assert.ok(incidents.length >= 9, `${incidents.length} incidents`);
    assert.ok(benign.length >= incidents.length, `${benign.length} benign < ${incidents.length} incidents`);
    assert.deepEqual(incidents.map((s) => s.seed).filter(Boolean).sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    for (const source of SOURCES) {
      assert.ok(incidents.some((s) => s.source === source), `an incident from ${source}`);
      assert.ok(benign.some((s) => s.source === source), `a benign session from ${source}`);
    }
    assert.ok(sessions.filter((s) => s.session.scope === undefined).length >= 2, 'sessions without declared scope');
    assert.ok(sessions.some((s) => s.session.scope !== undefined), 'sessions with declared scope');
  });

  it('have agent-like gaps between tool calls (300 ms to 20 s)', () => {
    for (const s of sessions) {
      for (const [i, step] of s.steps.entries()) {
        assert.ok(step.after_ms >= 300 && step.after_ms <= 20_000, `${s.name} step ${i}: after_ms ${step.after_ms}`);
      }
    }
  });
});

describe('each session converts to decodable OTLP whose events carry the session', () => {
  for (const session of sessions) {
    it(`${session.name} (${session.source})`, () => {
      const id = `${session.name}-unit`;
      const native = DEFAULT_ENCODING[session.source] === 'json' ? 'otlp_json' : 'otlp_proto';
      const events = normalized(session, id, native);
      const other = normalized(session, id, native === 'otlp_json' ? 'otlp_proto' : 'otlp_json');
      assert.deepEqual(other.map((e) => e.event_id), events.map((e) => e.event_id), 'same events in both encodings');

      for (const e of events) assert.equal(e.session_id, id, `${e.name}: session id`);
      const start = events.find((e) => e.name === 'warden.session.start');
      assert.ok(start, 'a warden.session.start record');
      assert.equal(start.phase, 'session');
      assert.equal(events.indexOf(start), 0, 'the declaration comes first');
      assert.equal(start.environment, session.session.environment ?? '');
      assert.deepEqual(start.scope_allow, session.session.scope?.allow ?? []);
      assert.deepEqual(start.scope_deny, session.session.scope?.deny ?? []);
      const goals = events.filter((e) => e.goal !== '').map((e) => e.goal);
      assert.deepEqual(goals, [session.session.goal], 'the goal, announced once');

      const plan = planSession(session, id);
      const tools = events.filter((e) => e.phase === 'intent' || (e.phase === 'execution' && e.tool !== ''));
      const intents = tools.filter((e) => e.phase === 'intent');
      const executions = tools.filter((e) => e.phase === 'execution');
      assert.equal(intents.length, writesIntents(session) ? session.steps.length : 0, 'one intent per step');
      assert.equal(executions.length, session.steps.length, 'one execution per step');
      plan.steps.forEach((p, i) => {
        const exec = executions[i]!;
        assert.equal(exec.tool, p.step.tool, `step ${i}: tool`);
        assert.equal(exec.tool_call_id, p.callId, `step ${i}: call id`);
        assert.equal(ms(exec.end_time_ns), BASE_MS + p.execEndMs!, `step ${i}: end time`);
        assert.equal(exec.status, p.step.outcome === 'error' ? 'error' : 'ok', `step ${i}: outcome`);
        if (p.step.command !== undefined && session.source !== 'codex_logs') assert.equal(exec.command, p.step.command, `step ${i}: command`);
        if (p.step.command !== undefined && session.source === 'codex_logs') assert.match(exec.command, /^bash -lc /, `step ${i}: argv command`);
        if (writesIntents(session)) {
          const intent = intents[i]!;
          assert.equal(intent.tool_call_id, p.callId, `step ${i}: intent pairs with its execution`);
          assert.equal(ms(intent.time_ns), BASE_MS + p.intentAtMs!, `step ${i}: intent time`);
          assert.ok(BigInt(intent.time_ns) < BigInt(exec.time_ns), `step ${i}: intent first`);
        }
      });
    });
  }
});

interface Received {
  path: string;
  body: Buffer;
  at: number;
  contentType: string;
}

async function withOtlpEndpoint(deny: (query: URLSearchParams) => boolean, run: (url: string, received: Received[]) => Promise<void>): Promise<void> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.endsWith('/verdict')) {
        const allow = !deny(url.searchParams);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ allow, reason: allow ? 'ok' : 'revoked' }));
        return;
      }
      received.push({ path: url.pathname, body: Buffer.concat(chunks), at: Date.now(), contentType: req.headers['content-type'] ?? '' });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end(req.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, received);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function byName(name: string): IncidentSession {
  const s = sessions.find((x) => x.name === name);
  assert.ok(s, name);
  return s;
}

describe('replaySession', () => {
  it('waits the recorded gaps divided by speed and stamps nothing in the future', async () => {
    const session = byName('git-force-push-main');
    await withOtlpEndpoint(
      () => false,
      async (url, received) => {
        let clock = BASE_MS;
        const waits: number[] = [];
        const result = await replaySession(url, session, {
          speed: 10,
          sessionId: 'pacing',
          now: () => clock,
          sleep: async (wait) => {
            waits.push(wait);
            clock += wait;
          },
        });
        const { totalMs } = sessionRecords(session, 'pacing', 0);
        assert.equal(Math.round(waits.reduce((a, b) => a + b, 0)), Math.round(totalMs / 10));
        assert.equal(result.eventEndMs, clock, 'the last record is stamped when it is sent');
        assert.equal(result.eventEndMs - result.eventStartMs, totalMs, 'event time keeps the recorded span');
        assert.ok(received.every((r) => r.path === '/v1/logs' && r.contentType === 'application/json'));
        const records = received.flatMap((r) => decodeOtlp('logs', r.body, 'otlp_json'));
        assert.equal(records.length, result.records);
        for (const r of records) if (r.signal === 'logs') assert.ok(ms(r.timeUnixNano) <= clock);
        // Findings cite event ids: each one Warden derives maps back to the step that produced it.
        const plan = planSession(session, 'pacing');
        for (const e of createNormalizer(realDeps()).normalize(records, {})) {
          if (e.phase === 'session' || e.tool === '') continue;
          const sent = result.events.get(e.event_id);
          assert.ok(sent !== undefined, `${e.name}: event id known`);
          assert.equal(plan.steps[sent.step]!.callId, e.tool_call_id);
          assert.equal(sent.phase, e.phase);
        }
      },
    );
  });

  it('sends protobuf spans for an SDK-instrumented agent, the invoke_agent span last', async () => {
    const session = byName('aws-terminate-prod-db');
    await withOtlpEndpoint(
      () => false,
      async (url, received) => {
        await replaySession(url, session, { speed: Infinity, sessionId: 'spans' });
        assert.ok(received.every((r) => r.path === '/v1/traces' && r.contentType === 'application/x-protobuf'));
        const names = received.flatMap((r) => decodeOtlp('traces', r.body, 'otlp_proto')).map((r) => (r.signal === 'traces' ? r.name : ''));
        assert.equal(names[0], 'warden.session.start');
        assert.equal(names.at(-1), 'invoke_agent cloud-janitor');
      },
    );
  });

  it('honours a hook denial: the PreToolUse is forwarded, the tool never runs', async () => {
    const session = byName('kubectl-delete-shared-namespace');
    const fatal = session.steps.findIndex((s) => s.command === 'kubectl delete namespace shared-services');
    assert.ok(fatal >= 0);
    await withOtlpEndpoint(
      (q) => q.get('command') === 'kubectl delete namespace shared-services',
      async (url, received) => {
        const result = await replaySession(url, session, { speed: Infinity, sessionId: 'denied' });
        assert.deepEqual(result.deniedSteps, [fatal]);
        const events = createNormalizer(realDeps()).normalize(
          received.flatMap((r) => decodeOtlp('logs', r.body, 'otlp_json')),
          {},
        );
        const calls = events.filter((e) => e.command === 'kubectl delete namespace shared-services');
        assert.deepEqual(calls.map((e) => e.phase), ['intent'], 'intent only');
      },
    );
  });
});
