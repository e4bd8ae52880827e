/**
 * Event ids and batch tokens are stored: a new version of Warden must compute the same ones for
 * the same records, or a redelivery after an upgrade would be stored twice. Pinned values,
 * computed once and never to be changed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callEventId, eventIdOf } from './event-id.js';
import { batchToken } from '../store/dedup-token.js';
import type { DecodedLogRecord, DecodedSpan } from '../decode/otlp/records.js';

const span: DecodedSpan = {
  signal: 'traces',
  resource: { 'service.name': 'agent', 'session.id': 's-1' },
  scope: { name: 'harness', version: '1.2' },
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '',
  name: 'execute_tool Bash',
  kind: 1,
  startTimeUnixNano: '1763740800123456789',
  endTimeUnixNano: '1763740800223456789',
  attributes: { 'gen_ai.tool.name': 'Bash', count: 3 },
  events: [],
  status: { code: 0, message: '' },
};

const log: DecodedLogRecord = {
  signal: 'logs',
  resource: { 'service.name': 'claude-code', 'host.name': 'dev' },
  scope: { name: 'com.anthropic.claude_code.events', version: '2.0.1' },
  timeUnixNano: '1763740800123456789',
  observedTimeUnixNano: '1763740800123456999',
  severityNumber: 9,
  severityText: 'INFO',
  body: 'claude_code.tool_result',
  attributes: { 'event.name': 'tool_result', tool_name: 'Bash', success: 'true', nested: { b: [1, 'x'], a: true } },
  traceId: '',
  spanId: '',
  eventName: 'claude_code.tool_result',
};

test('event ids are stable across versions', () => {
  assert.equal(eventIdOf(span), '4ebab195fa396109512771e651299ae1');
  assert.equal(eventIdOf({ ...span, traceId: '', spanId: '' }), 'd9fb0fb1043cff3e6b3b2b2747d97ef8');
  assert.equal(eventIdOf(log), '31be6269e2e2be0a54634d7e53f3c880');
  assert.equal(eventIdOf({ ...log, timeUnixNano: '0', scope: undefined as unknown as DecodedLogRecord['scope'] }), '6b6cfcea02a86465e300e41f5a945997');
});

// v2 (a deliberate change): the token covers each row's tenant and session with its id — with ids
// alone, another session's batch of equal span ids was dropped as a repeat (store/dedup-token.ts).
test('batch tokens are stable across versions and ignore order', () => {
  const rows = (ids: string[]) => ({ ids, tenants: ids.map(() => 'default'), sessions: ids.map((id) => `s-${id.length}`) });
  assert.equal(batchToken(rows(['b', 'a', 'c:d'])), batchToken(rows(['c:d', 'a', 'b'])));
  assert.equal(batchToken(rows(['b', 'a', 'c:d'])), 'warden-events-v2:402996b19065c85ad3b5ef771beb755291a4d4245ce7aa734f29bd665634098d');
});

// Added with intents keyed by their tool call (issue 8): a deliberate change of id for intents that
// name a tool call (hook PreToolUse, Claude Code and Codex tool_decision, intent spans with
// gen_ai.tool.call.id), so every record of one call is one event. Pinned from here on.
test('intent ids derived from the tool call are stable across versions', () => {
  assert.equal(callEventId('default', 's-1', 'toolu_01', 'intent'), '02c8ede7295b5f6984d5a005195916f6');
  assert.equal(callEventId('acme', 's-1', 'toolu_01', 'intent'), '7728892bbaf805c5e88077c5684809c6');
});
