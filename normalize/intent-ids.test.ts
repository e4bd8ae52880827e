/**
 * One tool call's intent is one event id, whichever record reports it: the hook's PreToolUse (as
 * the gate builds it), Claude Code's `tool_decision`, a harness's intent span naming
 * `gen_ai.tool.call.id`, redelivered or re-encoded — under the same tenant and session. A
 * different call, session or tenant is a different id; an intent without a call id, and every
 * execution, keeps its record's own id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeOtlp, encodeOtlp } from '../decode/otlp/index.js';
import type { DecodedRecord } from '../decode/otlp/records.js';
import { hookInputOf, hookLogRecord } from '../harness/hooks/hook-event.js';
import { callEventId, eventIdOf } from './event-id.js';
import { createNormalizer } from './normalizer.js';
import { logRecord, realDeps, span } from './test-kit.js';

const normalizer = createNormalizer(realDeps());

function only(record: DecodedRecord, tenant = 'default') {
  const events = normalizer.normalize([record], { tenant });
  assert.equal(events.length, 1);
  return events[0]!;
}

function hook(session: string, callId: string, event = 'PreToolUse', atNs = 1767225600000000000n): DecodedRecord {
  const payload = { session_id: session, hook_event_name: event, tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, cwd: '/repo', ...(callId ? { tool_use_id: callId } : {}) };
  return hookLogRecord(hookInputOf(payload), 'claude-code', atNs);
}

function toolDecision(session: string, callId: string): DecodedRecord {
  return logRecord({
    scope: { name: 'com.anthropic.claude_code.events', version: '2.0.14' },
    body: 'claude_code.tool_decision',
    attributes: { 'session.id': session, 'event.name': 'tool_decision', decision: 'accept', tool_name: 'Bash', tool_use_id: callId },
    timeUnixNano: '1767225601000000000',
  });
}

function intentSpan(session: string, callId: string): DecodedRecord {
  return span({
    spanId: '00f067aa0ba90333',
    name: 'intent Bash',
    attributes: { 'session.id': session, 'warden.action.phase': 'intent', 'gen_ai.tool.name': 'Bash', 'gen_ai.tool.call.id': callId, 'warden.action.command': 'rm -rf build' },
  });
}

describe('intent event ids', () => {
  it('the hook record, Claude Code’s tool_decision and an intent span of one call share the id derived from the call', () => {
    const want = callEventId('default', 's-1', 'toolu_01', 'intent');
    const events = [hook('s-1', 'toolu_01'), hook('s-1', 'toolu_01', 'PreToolUse', 1767225609000000000n), toolDecision('s-1', 'toolu_01'), intentSpan('s-1', 'toolu_01')].map((r) => only(r));
    for (const e of events) {
      assert.equal(e.phase, 'intent');
      assert.equal(e.event_id, want, `${e.source}/${e.name}`);
    }
  });

  it('re-encoded as protobuf, a keyed intent keeps its id', () => {
    const record = toolDecision('s-1', 'toolu_01');
    const [again] = decodeOtlp('logs', encodeOtlp('logs', [record], 'otlp_proto'), 'otlp_proto');
    assert.equal(only(again!).event_id, only(record).event_id);
  });

  it('another call, session or tenant is another id', () => {
    const base = only(hook('s-1', 'toolu_01')).event_id;
    assert.notEqual(only(hook('s-1', 'toolu_02')).event_id, base);
    assert.notEqual(only(hook('s-2', 'toolu_01')).event_id, base);
    assert.notEqual(only(hook('s-1', 'toolu_01'), 'acme').event_id, base);
  });

  it('an intent without a call id, and an execution with one, keep their record’s id', () => {
    const bare = hook('s-1', '');
    assert.equal(only(bare).event_id, eventIdOf(bare));
    assert.notEqual(only(hook('s-1', '', 'PreToolUse', 1767225609000000000n)).event_id, only(bare).event_id);
    const post = hook('s-1', 'toolu_01', 'PostToolUse');
    assert.equal(only(post).phase, 'execution');
    assert.equal(only(post).event_id, eventIdOf(post));
  });
});
