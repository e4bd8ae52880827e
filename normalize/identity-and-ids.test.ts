/**
 * sessionIdOf (the Kafka message key) and event ids. The session rule follows the mapping
 * tables; event ids are deterministic per source record (also across protobuf and JSON
 * encodings of the same record) and differ between records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeOtlp, encodeOtlp } from '../decode/otlp/index.js';
import type { DecodedRecord } from '../decode/otlp/records.js';
import { eventIdOf } from './event-id.js';
import { sessionIdOf } from './identity.js';
import { logRecord, span } from './test-kit.js';

const sessionCases: Array<[string, DecodedRecord, string]> = [
  ['session.id attribute', span({ attributes: { 'session.id': 'a' } }), 'a'],
  ['gen_ai.conversation.id', span({ attributes: { 'gen_ai.conversation.id': 'b' } }), 'b'],
  ['conversation.id on the resource', logRecord({ resource: { 'conversation.id': 'c' } }), 'c'],
  ['session.id beats conversation ids', span({ attributes: { 'conversation.id': 'x', 'session.id': 'd' } }), 'd'],
  ['hook session_id in a kvlist body', logRecord({ body: { hook_event_name: 'PreToolUse', session_id: 'e' } }), 'e'],
  ['hook session_id in a JSON body', logRecord({ body: '{"hook_event_name":"PostToolUse","session_id":"f"}' }), 'f'],
  ['session_id alone is not an identity for unknown sources', logRecord({ attributes: { session_id: 'g' } }), ''],
  ['numbers are read as text', span({ attributes: { 'session.id': 42 } }), '42'],
  ['empty values are skipped', span({ attributes: { 'session.id': '', 'gen_ai.conversation.id': 'h' } }), 'h'],
  ['none', span(), ''],
];

describe('sessionIdOf', () => {
  for (const [name, record, want] of sessionCases) it(name, () => assert.equal(sessionIdOf(record), want));
});

describe('event ids', () => {
  const records: DecodedRecord[] = [
    span({ spanId: '00f067aa0ba902b7', attributes: { 'gen_ai.tool.name': 'Bash' } }),
    span({ spanId: '00f067aa0ba902b8', attributes: { 'gen_ai.tool.name': 'Bash' } }),
    logRecord({ eventName: 'codex.tool_result', attributes: { call_id: 'c1', success: 'true' }, resource: { 'service.name': 'codex' } }),
    logRecord({ eventName: 'codex.tool_result', attributes: { call_id: 'c2', success: 'true' }, resource: { 'service.name': 'codex' } }),
    logRecord({ eventName: 'codex.tool_result', attributes: { call_id: 'c1', success: 'true' }, timeUnixNano: '1767225600000000009' }),
    logRecord({ body: 'claude_code.tool_result', attributes: { a: 1 } }),
    logRecord({ body: 'claude_code.tool_decision', attributes: { a: 1 } }),
  ];

  it('are 32 hex chars and differ between different records', () => {
    const ids = records.map(eventIdOf);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('do not depend on attribute order or object identity', () => {
    const a = logRecord({ attributes: { x: '1', y: { p: 1, q: 2 } } });
    const b = logRecord({ attributes: { y: { q: 2, p: 1 }, x: '1' } });
    assert.equal(eventIdOf(a), eventIdOf(b));
    assert.equal(eventIdOf(structuredClone(records[2]!)), eventIdOf(records[2]!));
  });

  it('a span keeps its id whatever its attributes (same trace and span id = same span)', () => {
    assert.equal(eventIdOf(span({ attributes: { late: 'x' } })), eventIdOf(span()));
  });

  for (const signal of ['traces', 'logs'] as const) {
    it(`the same ${signal} redelivered as protobuf or JSON keeps its ids`, () => {
      const batch = records.filter((r) => r.signal === signal);
      const viaProto = decodeOtlp(signal, encodeOtlp(signal, batch, 'otlp_proto'), 'otlp_proto');
      const viaJson = decodeOtlp(signal, encodeOtlp(signal, batch, 'otlp_json'), 'otlp_json');
      assert.deepEqual(viaProto.map(eventIdOf), batch.map(eventIdOf));
      assert.deepEqual(viaJson.map(eventIdOf), batch.map(eventIdOf));
    });
  }
});
