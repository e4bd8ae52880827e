/**
 * Protobuf decoding edge cases, on hand-built wire bytes: field order, unknown fields and groups,
 * wrong wire types, 64-bit integers, invalid UTF-8, `__proto__` keys and the decode limits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentError } from '../../lib/errors.js';
import { decodeOtlp } from './decode.js';
import type { DecodedLogRecord, DecodedSpan } from './records.js';
import { fixed64Field, keyValue, len, logsRequest, nestedArrayAnyValue, tag, traceRequest, varint, varintField } from './wire-builder.js';

function rejectsWith(code: string, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof PermanentError && err.code === code);
}

const ids = Buffer.concat([
  len(1, Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex')),
  len(2, Buffer.from('a1a2a3a4a5a6a7a8', 'hex')),
]);

test('an empty body is an empty request', () => {
  assert.deepEqual(decodeOtlp('traces', Buffer.alloc(0), 'otlp_proto'), []);
  assert.deepEqual(decodeOtlp('logs', new Uint8Array(0), 'otlp_proto'), []);
});

test('a resource and scope that follow their records on the wire still apply to them', () => {
  const span = Buffer.concat([ids, len(5, 'late')]);
  const body = len(
    1,
    len(2, len(2, span), len(1, len(1, 'scope-name'), len(2, '1.2'))), // spans before scope
    len(1, len(1, keyValue('service.name', len(1, 'svc')))), // resource after scope_spans
  );
  const [record] = decodeOtlp('traces', body, 'otlp_proto') as DecodedSpan[];
  assert.ok(record);
  assert.deepEqual(record.resource, { 'service.name': 'svc' });
  assert.deepEqual(record.scope, { name: 'scope-name', version: '1.2' });
  assert.equal(record.traceId, '0102030405060708090a0b0c0d0e0f10');
  assert.equal(record.spanId, 'a1a2a3a4a5a6a7a8');
});

test('unknown fields, groups and known fields with the wrong wire type are skipped', () => {
  const group = Buffer.concat([tag(99, 3), varintField(1, 5), tag(98, 3), tag(98, 4), tag(99, 4)]);
  const span = Buffer.concat([
    ids,
    len(5, 'span'),
    varintField(5, 7), // name with a varint wire type: skipped
    group,
    fixed64Field(77, 1n),
    Buffer.concat([tag(78, 5), Buffer.alloc(4)]),
    len(13, len(1, Buffer.alloc(16)), len(2, Buffer.alloc(8))), // a link: read past
    Buffer.concat([tag(16, 5), Buffer.from([1, 0, 0, 0])]), // flags
  ]);
  const [record] = decodeOtlp('traces', traceRequest(span), 'otlp_proto') as DecodedSpan[];
  assert.equal(record?.name, 'span');
});

test('64-bit values keep every digit', () => {
  const attrs = Buffer.concat([
    len(9, keyValue('neg', varintField(3, -1n))),
    len(9, keyValue('min', varintField(3, -(2n ** 63n)))),
    len(9, keyValue('max', varintField(3, 2n ** 63n - 1n))),
    len(9, keyValue('safe', varintField(3, 2n ** 53n - 1n))),
    len(9, keyValue('unsafe', varintField(3, 2n ** 53n))),
    len(9, keyValue('negsafe', varintField(3, -(2n ** 53n) + 1n))),
  ]);
  const span = Buffer.concat([ids, fixed64Field(7, 2n ** 64n - 1n), fixed64Field(8, 1760000000123456789n), attrs]);
  const [record] = decodeOtlp('traces', traceRequest(span), 'otlp_proto') as DecodedSpan[];
  assert.ok(record);
  assert.equal(record.startTimeUnixNano, '18446744073709551615');
  assert.equal(record.endTimeUnixNano, '1760000000123456789');
  assert.deepEqual(record.attributes, {
    neg: -1,
    min: '-9223372036854775808',
    max: '9223372036854775807',
    safe: 9007199254740991,
    unsafe: '9007199254740992',
    negsafe: -9007199254740991,
  });
});

test('log record fields, event_name and an absent body', () => {
  const log = Buffer.concat([
    fixed64Field(1, 5n),
    fixed64Field(11, 6n),
    varintField(2, 9),
    len(3, 'INFO'),
    len(6, keyValue('tool_name', len(1, 'Bash'))),
    len(9, Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex')),
    len(10, Buffer.from('a1a2a3a4a5a6a7a8', 'hex')),
    len(12, 'claude_code.tool_decision'),
  ]);
  const [record] = decodeOtlp('logs', logsRequest(log), 'otlp_proto') as DecodedLogRecord[];
  assert.deepEqual(record, {
    signal: 'logs',
    resource: {},
    scope: { name: '', version: '' },
    timeUnixNano: '5',
    observedTimeUnixNano: '6',
    severityNumber: 9,
    severityText: 'INFO',
    body: null,
    attributes: { tool_name: 'Bash' },
    traceId: '0102030405060708090a0b0c0d0e0f10',
    spanId: 'a1a2a3a4a5a6a7a8',
    eventName: 'claude_code.tool_decision',
  });
});

test('invalid UTF-8 in a string decodes with replacement characters', () => {
  const span = Buffer.concat([ids, len(5, Buffer.from([0x61, 0xff, 0xfe, 0x62]))]);
  const [record] = decodeOtlp('traces', traceRequest(span), 'otlp_proto') as DecodedSpan[];
  assert.equal(record?.name, 'a\ufffd\ufffdb');
});

test('an attribute named __proto__ is an own property and leaves the prototype alone', () => {
  const span = Buffer.concat([ids, len(9, keyValue('__proto__', len(1, 'x')))]);
  const [record] = decodeOtlp('traces', traceRequest(span), 'otlp_proto') as DecodedSpan[];
  assert.ok(record);
  assert.equal(Object.getPrototypeOf(record.attributes), Object.prototype);
  assert.deepEqual(Object.keys(record.attributes), ['__proto__']);
  assert.equal(Object.getOwnPropertyDescriptor(record.attributes, '__proto__')?.value, 'x');
});

test('depth limit: maxDepth levels decode, one more is OTLP_TOO_DEEP', () => {
  const body = (levels: number): Buffer => traceRequest(Buffer.concat([ids, len(9, keyValue('deep', nestedArrayAnyValue(levels)))]));
  const [ok] = decodeOtlp('traces', body(32), 'otlp_proto') as DecodedSpan[];
  let v: unknown = ok?.attributes['deep'];
  let depth = 1;
  while (Array.isArray(v)) {
    v = v[0];
    depth++;
  }
  assert.equal(depth, 32);
  assert.equal(v, 'leaf');
  rejectsWith('OTLP_TOO_DEEP', () => decodeOtlp('traces', body(33), 'otlp_proto'));
  rejectsWith('OTLP_TOO_DEEP', () => decodeOtlp('traces', body(10_000), 'otlp_proto'));
  // No depth limit at all: the stack overflows and is still reported as OTLP_TOO_DEEP.
  rejectsWith('OTLP_TOO_DEEP', () => decodeOtlp('traces', body(200_000), 'otlp_proto', { maxDepth: Infinity }));
});

test('record, attribute and byte limits each have their own code', () => {
  const span = Buffer.concat([ids, len(9, keyValue('a', len(1, 'x'))), len(9, keyValue('b', len(1, 'y')))]);
  const twoSpans = len(1, len(2, len(2, span), len(2, span)));
  assert.equal(decodeOtlp('traces', twoSpans, 'otlp_proto', { maxRecords: 2 }).length, 2);
  rejectsWith('OTLP_TOO_MANY_RECORDS', () => decodeOtlp('traces', twoSpans, 'otlp_proto', { maxRecords: 1 }));
  rejectsWith('OTLP_TOO_MANY_ATTRIBUTES', () => decodeOtlp('traces', twoSpans, 'otlp_proto', { maxAttributes: 1 }));
  const resourceHeavy = traceRequest(ids, Buffer.concat([len(1, keyValue('a', len(1, 'x'))), len(1, keyValue('b', len(1, 'x')))]));
  rejectsWith('OTLP_TOO_MANY_ATTRIBUTES', () => decodeOtlp('traces', resourceHeavy, 'otlp_proto', { maxAttributes: 1 }));
  assert.equal(decodeOtlp('traces', twoSpans, 'otlp_proto', { maxBytes: twoSpans.length }).length, 2);
  rejectsWith('OTLP_TOO_LARGE', () => decodeOtlp('traces', twoSpans, 'otlp_proto', { maxBytes: twoSpans.length - 1 }));
});

test('unsupported signal, encoding and invalid limits are rejected with their codes', () => {
  rejectsWith('OTLP_UNSUPPORTED_ENCODING', () => decodeOtlp('traces', Buffer.alloc(0), 'otlp_avro' as never));
  rejectsWith('OTLP_UNSUPPORTED_SIGNAL', () => decodeOtlp('metrics' as never, Buffer.alloc(0), 'otlp_proto'));
  rejectsWith('OTLP_INVALID_LIMITS', () => decodeOtlp('traces', Buffer.alloc(0), 'otlp_proto', { maxDepth: 0 }));
  rejectsWith('OTLP_INVALID_LIMITS', () => decodeOtlp('traces', Buffer.alloc(0), 'otlp_proto', { maxRecords: 1.5 }));
});

test('malformed wire bytes are OTLP_DECODE_PROTO', () => {
  const cases: Buffer[] = [
    Buffer.concat([tag(1, 2), varint(2 ** 31)]), // declared length far beyond the body
    Buffer.concat([tag(1, 2), varint(2n ** 63n)]),
    Buffer.concat([tag(1, 2), varint(2n ** 64n - 1n), Buffer.alloc(8)]),
    Buffer.from([0x0a]), // tag without length
    Buffer.from([0x00, 0x00]), // field number 0
    Buffer.concat([tag(1, 6)]), // wire type 6 does not exist
    Buffer.concat([tag(1, 4)]), // group end without a start
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // 11-byte varint
    // scope_spans declares 3 bytes but its ResourceSpans ends after 2 (the body goes on).
    Buffer.concat([len(1, Buffer.from([0x12, 0x03, 0x0a, 0x00])), Buffer.from([0x08, 0x00])]),
    Buffer.concat([tag(50, 3), varintField(1, 1)]), // unterminated group
  ];
  for (const body of cases) rejectsWith('OTLP_DECODE_PROTO', () => decodeOtlp('traces', body, 'otlp_proto'));
});
