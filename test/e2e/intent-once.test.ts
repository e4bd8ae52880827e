/**
 * One tool call's intent is one event, however it arrives: through the gate (the agent's
 * PreToolUse hook, real HTTP), as the agent's own OTLP telemetry (the same hook record exported as
 * a log, Claude Code's `tool_decision` for the call), through a hook installed twice, in either
 * order. Against Warden built by the same assembly as `warden start` (embedded ClickHouse, the
 * in-process queue): one intent row in `audit_events`, counted once by the session and the
 * destructive-burst detector, and the gate's decision in `gate_decisions` points at that row.
 * Two different calls with the same command are two events; a call without an id keeps one
 * event per record.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedLogRecord } from '../../decode/otlp/records.js';
import { hookInputOf, hookLogRecord } from '../../harness/hooks/hook-event.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';

const INGEST = 'wdn_test_intent_once_ingest_000';

let warden: TestWarden;

before(async () => {
  warden = await startTestWarden({}, { tokens: [{ name: 'agent', token: INGEST, tenant: 'default', roles: ['ingest'] }] });
});

after(async () => {
  await warden.cleanup();
});

function preToolUse(session: string, toolUseId: string, command: string): Record<string, unknown> {
  return { session_id: session, cwd: '/repo', permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, ...(toolUseId ? { tool_use_id: toolUseId } : {}) };
}

/** The agent's PreToolUse through the gate (Claude Code's HTTP hook); the gate's decision. */
async function gate(payload: Record<string, unknown>): Promise<{ decision: string; decisionId: string }> {
  const res = await fetch(`${warden.url}/api/v1/hooks/claude-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  await res.text();
  assert.equal(res.status, 200);
  // A decided call's answer says how long the decision took inside Warden and how long its receipt took to be written and synced.
  if (res.headers.has('warden-decision')) assert.match(res.headers.get('server-timing') ?? '', /^gate;dur=\d+\.\d{3}, receipt;dur=\d+\.\d{3}$/);
  return { decision: res.headers.get('warden-decision') ?? '', decisionId: res.headers.get('warden-decision-id') ?? '' };
}

/** Records exported to the OTLP/HTTP receiver as the agent's telemetry. */
async function telemetry(records: DecodedLogRecord[]): Promise<void> {
  const res = await fetch(`${warden.url}/v1/logs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
    body: encodeOtlp('logs', records, 'otlp_json'),
  });
  await res.text();
  assert.equal(res.status, 200);
}

/** The same PreToolUse exported as an OTLP log record (a hook forwarding to the receiver), at its own time. */
function hookRecord(payload: Record<string, unknown>): DecodedLogRecord {
  return hookLogRecord(hookInputOf(payload), 'claude-code', BigInt(Date.now()) * 1_000_000n + 7n);
}

/** Claude Code's own `tool_decision` log event for the call. */
function toolDecision(session: string, toolUseId: string): DecodedLogRecord {
  const ns = (BigInt(Date.now()) * 1_000_000n + 11n).toString();
  return {
    signal: 'logs',
    resource: { 'service.name': 'claude-code' },
    scope: { name: 'com.anthropic.claude_code.events', version: '2.0.14' },
    timeUnixNano: ns,
    observedTimeUnixNano: ns,
    severityNumber: 9,
    severityText: 'INFO',
    body: 'claude_code.tool_decision',
    attributes: { 'session.id': session, 'event.name': 'tool_decision', decision: 'accept', source: 'config', tool_name: 'Bash', tool_use_id: toolUseId },
    traceId: '',
    spanId: '',
    eventName: '',
  };
}

interface IntentRow {
  event_id: string;
  source: string;
  command: string;
}

async function rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await warden.storage.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

const intentRows = (session: string, toolUseId?: string): Promise<IntentRow[]> =>
  rows<IntentRow>(
    `SELECT event_id, source, command FROM ${warden.storage.database}.audit_events
     WHERE tenant = 'default' AND session_id = {s:String} AND phase = 'intent' ${toolUseId === undefined ? '' : 'AND tool_call_id = {c:String}'} ORDER BY time`,
    { s: session, c: toolUseId ?? '' },
  );

/**
 * Waits until everything sent for the session so far is stored: a PostToolUse sent last through
 * the same queue (one log partition, inserted in order) is stored only after all before it.
 */
async function settle(session: string): Promise<void> {
  const marker = `toolu_settle_${Math.random().toString(36).slice(2)}`;
  await gate({ ...preToolUse(session, marker, 'true'), hook_event_name: 'PostToolUse' });
  await waitFor(
    () => rows<{ n: string }>(`SELECT count() AS n FROM ${warden.storage.database}.audit_events WHERE session_id = {s:String} AND tool_call_id = {c:String}`, { s: session, c: marker }),
    (r) => Number(r[0]?.n ?? 0) > 0,
    { what: `the settle marker of ${session}` },
  );
}

async function decisionRow(decisionId: string): Promise<{ event_id: string; decision: string }> {
  const [row] = await waitFor(
    () => rows<{ event_id: string; decision: string }>(`SELECT event_id, decision FROM ${warden.storage.database}.gate_decisions FINAL WHERE decision_id = {d:String}`, { d: decisionId }),
    (r) => r.length > 0,
    { what: `gate decision ${decisionId}` },
  );
  return row!;
}

function session(name: string): { intents: number; events: number } {
  const s = warden.detection.registry.get('default', name);
  assert.ok(s, `session ${name} is live`);
  return { intents: s.counts.intents, events: s.counts.events };
}

/** The destructive actions the session's destructive-burst detector has counted (its window, all recent here). */
function burstCounted(name: string): number {
  const slot = warden.detection.registry.get('default', name)?.slots.get('destructive_burst') as { actions: unknown[] } | undefined;
  return slot?.actions.length ?? 0;
}

describe('an intent arriving through the gate and as telemetry', () => {
  const goal = (s: string, prompt: string) => gate({ session_id: s, cwd: '/repo', hook_event_name: 'UserPromptSubmit', prompt });

  test('gate first, then the same hook record and Claude Code’s tool_decision: one row, counted once, the decision points at it', async () => {
    const s = 'once-gate-first';
    await goal(s, 'Delete the old reports in /repo/old-reports');
    const pre = preToolUse(s, 'toolu_A1', 'rm -rf /repo/old-reports');
    const { decision, decisionId } = await gate(pre);
    // A recursive delete the session declared no scope for is staged for a person (the command
    // floor, gate.command_ask_at: medium); the goal's words are not a declared scope.
    assert.equal(decision, 'ask');
    // The agent's telemetry comes seconds later (batched export): after the gate's copy is stored.
    await waitFor(() => intentRows(s, 'toolu_A1'), (r) => r.length > 0, { what: 'the gate’s intent' });
    await telemetry([hookRecord(pre), toolDecision(s, 'toolu_A1')]);
    await settle(s);

    const stored = await intentRows(s, 'toolu_A1');
    assert.equal(stored.length, 1, JSON.stringify(stored));
    assert.equal(stored[0]!.command, 'rm -rf /repo/old-reports', 'the copy stored is the one the gate judged');
    assert.equal((await decisionRow(decisionId)).event_id, stored[0]!.event_id);
    assert.equal(session(s).intents, 1);
    assert.equal(burstCounted(s), 1);
  });

  test('telemetry first, then the gate: one row, and the gate decides as the stream judged it', async () => {
    const s = 'once-telemetry-first';
    await goal(s, 'Fix the typo in README.md');
    const pre = preToolUse(s, 'toolu_B1', 'git push --force origin main');
    await telemetry([hookRecord(pre)]);
    await waitFor(() => intentRows(s, 'toolu_B1'), (r) => r.length > 0, { what: 'the telemetry intent' });
    const { decision, decisionId } = await gate(pre);
    assert.equal(decision, 'deny', 'a call the stream judged first is still denied at the gate');
    await telemetry([toolDecision(s, 'toolu_B1')]);
    await settle(s);

    const stored = await intentRows(s, 'toolu_B1');
    assert.equal(stored.length, 1, JSON.stringify(stored));
    assert.equal((await decisionRow(decisionId)).event_id, stored[0]!.event_id);
    assert.equal(session(s).intents, 1);
    assert.equal(burstCounted(s), 1);
  });

  test('the same PreToolUse through two hooks (command and HTTP): one row, one decision', async () => {
    const s = 'once-two-hooks';
    await goal(s, 'List the files in /repo');
    const pre = preToolUse(s, 'toolu_C1', 'ls -la /repo');
    const [a, b] = await Promise.all([gate(pre), gate(pre)]);
    assert.equal(a.decisionId, b.decisionId);
    await settle(s);
    assert.equal((await intentRows(s, 'toolu_C1')).length, 1);
    assert.equal(session(s).intents, 1);
  });

  test('two different calls with the same command are two events, each counted', async () => {
    const s = 'once-two-calls';
    await goal(s, 'Delete the old reports in /repo/old-reports');
    const first = preToolUse(s, 'toolu_D1', 'rm -rf /repo/old-reports');
    const second = preToolUse(s, 'toolu_D2', 'rm -rf /repo/old-reports');
    await gate(first);
    await telemetry([hookRecord(first), toolDecision(s, 'toolu_D1')]);
    await gate(second);
    await telemetry([hookRecord(second), toolDecision(s, 'toolu_D2')]);
    await settle(s);

    const stored = await intentRows(s);
    assert.deepEqual(stored.map((r) => r.command), ['rm -rf /repo/old-reports', 'rm -rf /repo/old-reports']);
    assert.notEqual(stored[0]!.event_id, stored[1]!.event_id);
    assert.equal(session(s).intents, 2);
    assert.equal(burstCounted(s), 2);
  });

  test('a call without an id is not merged: each record stays its own event', async () => {
    const s = 'once-no-id';
    await goal(s, 'List the files in /repo');
    const pre = preToolUse(s, '', 'ls /repo');
    await gate(pre);
    await telemetry([hookRecord(pre)]);
    await settle(s);
    assert.equal((await intentRows(s)).length, 2);
    assert.equal(session(s).intents, 2);
  });
});
