/**
 * OTLP/JSON specifics: hex ids, int64 as string or number, enums as ints or names, snake_case
 * keys, nulls, unknown fields, the proto3 JSON spellings of doubles, and wrong shapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentError } from '../../lib/errors.js';
import { decodeOtlp } from './decode.js';
import type { DecodedLogRecord, DecodedSpan } from './records.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function rejectsWith(code: string, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof PermanentError && err.code === code);
}

function oneSpan(span: Record<string, unknown>, group: Record<string, unknown> = {}): Record<string, unknown> {
  return { resourceSpans: [{ ...group, scopeSpans: [{ scope: { name: 's' }, spans: [span] }] }] };
}

test('camelCase and snake_case spellings decode to the same span', () => {
  const camel = oneSpan({
    traceId: '0102030405060708090A0B0C0D0E0F10',
    spanId: 'A1A2A3A4A5A6A7A8',
    parentSpanId: '',
    name: 'n',
    kind: 3,
    startTimeUnixNano: '1760000000123456789',
    endTimeUnixNano: 1760000000,
    attributes: [{ key: 'k', value: { intValue: '42' } }],
    events: [{ name: 'e', timeUnixNano: '7', attributes: [] }],
    status: { code: 2, message: 'boom' },
  });
  const snake = {
    resource_spans: [
      {
        scope_spans: [
          {
            scope: { name: 's' },
            spans: [
              {
                trace_id: '0102030405060708090a0b0c0d0e0f10',
                span_id: 'a1a2a3a4a5a6a7a8',
                name: 'n',
                kind: 'SPAN_KIND_CLIENT',
                start_time_unix_nano: '1760000000123456789',
                end_time_unix_nano: '1760000000',
                attributes: [{ key: 'k', value: { int_value: 42 } }],
                events: [{ name: 'e', time_unix_nano: 7 }],
                status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                some_future_field: { anything: [1, 2, 3] },
              },
            ],
          },
        ],
      },
    ],
  };
  const a = decodeOtlp('traces', json(camel), 'otlp_json');
  const b = decodeOtlp('traces', json(snake), 'otlp_json');
  assert.deepEqual(a, b);
  const span = a[0] as DecodedSpan;
  assert.equal(span.traceId, '0102030405060708090a0b0c0d0e0f10');
  assert.equal(span.kind, 3);
  assert.equal(span.startTimeUnixNano, '1760000000123456789');
  assert.deepEqual(span.attributes, { k: 42 });
  assert.deepEqual(span.status, { code: 2, message: 'boom' });
  assert.deepEqual(span.events, [{ name: 'e', timeUnixNano: '7', attributes: {} }]);
});

test('AnyValue forms map like the protobuf decoder maps them', () => {
  const value = (v: unknown) => ({ key: 'v', value: v });
  const attrs = [
    { key: 's', value: { stringValue: 'x' } },
    { key: 'b', value: { boolValue: false } },
    { key: 'i', value: { intValue: '-9223372036854775808' } },
    { key: 'j', value: { intValue: 9007199254740991 } },
    { key: 'd', value: { doubleValue: 1.5 } },
    { key: 'nan', value: { doubleValue: 'NaN' } },
    { key: 'inf', value: { doubleValue: '-Infinity' } },
    { key: 'bytes', value: { bytesValue: 'AAEC/w==' } },
    { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, {}, null] } } },
    { key: 'kv', value: { kvlistValue: { values: [value({ intValue: 1 }), { key: 'n' }] } } },
    { key: 'empty', value: {} },
    { key: 'missing' },
  ];
  const [span] = decodeOtlp('traces', json(oneSpan({ attributes: attrs })), 'otlp_json') as DecodedSpan[];
  assert.deepEqual(span?.attributes, {
    s: 'x',
    b: false,
    i: '-9223372036854775808',
    j: 9007199254740991,
    d: 1.5,
    nan: NaN,
    inf: -Infinity,
    bytes: new Uint8Array([0, 1, 2, 255]),
    arr: ['a', null, null],
    kv: { v: 1, n: null },
    empty: null,
    missing: null,
  });
});

test('ids: hex is lowercased, base64 from generic proto3 JSON encoders is accepted', () => {
  const [span] = decodeOtlp(
    'traces',
    json(oneSpan({ traceId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex').toString('base64'), spanId: 'oaKjpKWmp6g=' })),
    'otlp_json',
  ) as DecodedSpan[];
  assert.equal(span?.traceId, '0102030405060708090a0b0c0d0e0f10');
  assert.equal(span?.spanId, 'a1a2a3a4a5a6a7a8');
});

test('logs: event name, severity name, body, nulls as absent', () => {
  const body = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex' } }] },
        scopeLogs: [
          {
            scope: null,
            logRecords: [
              {
                timeUnixNano: null,
                observedTimeUnixNano: '9',
                severityNumber: 'SEVERITY_NUMBER_WARN',
                severityText: 'WARN',
                eventName: 'codex.tool_decision',
                body: { stringValue: 'hello' },
                attributes: [{ key: 'conversation.id', value: { stringValue: 'c-1' } }],
                traceId: null,
              },
            ],
          },
        ],
      },
    ],
  };
  const [log] = decodeOtlp('logs', json(body), 'otlp_json') as DecodedLogRecord[];
  assert.deepEqual(log, {
    signal: 'logs',
    resource: { 'service.name': 'codex' },
    scope: { name: '', version: '' },
    timeUnixNano: '0',
    observedTimeUnixNano: '9',
    severityNumber: 13,
    severityText: 'WARN',
    body: 'hello',
    attributes: { 'conversation.id': 'c-1' },
    traceId: '',
    spanId: '',
    eventName: 'codex.tool_decision',
  });
});

test('wrong shapes are OTLP_DECODE_JSON', () => {
  const cases: unknown[] = [
    null,
    [],
    1,
    'x',
    true,
    { resourceSpans: {} },
    { resourceSpans: [1] },
    { resourceSpans: [{ resource: [] }] },
    { resourceSpans: [{ scopeSpans: 'x' }] },
    oneSpan({ traceId: 5 }),
    oneSpan({ traceId: 'not hex!' }),
    oneSpan({ name: {} }),
    oneSpan({ kind: 'SPAN_KIND_NOPE' }),
    oneSpan({ kind: 1.5 }),
    oneSpan({ startTimeUnixNano: '-1' }),
    oneSpan({ startTimeUnixNano: '18446744073709551616' }),
    oneSpan({ startTimeUnixNano: 1.5 }),
    oneSpan({ attributes: 'x' }),
    oneSpan({ attributes: [null] }),
    oneSpan({ attributes: [{ key: 1 }] }),
    oneSpan({ attributes: [{ key: 'k', value: [] }] }),
    oneSpan({ attributes: [{ key: 'k', value: { intValue: '1.5' } }] }),
    oneSpan({ attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] }),
    oneSpan({ attributes: [{ key: 'k', value: { stringValue: 1 } }] }),
    oneSpan({ attributes: [{ key: 'k', value: { boolValue: 'true' } }] }),
    oneSpan({ attributes: [{ key: 'k', value: { arrayValue: [] } }] }),
    oneSpan({ attributes: [{ key: 'k', value: { bytesValue: '***' } }] }),
    oneSpan({ events: {} }),
    oneSpan({ status: 'ok' }),
  ];
  for (const c of cases) rejectsWith('OTLP_DECODE_JSON', () => decodeOtlp('traces', json(c), 'otlp_json'));
  for (const text of ['', '{', '{"resourceSpans": [}', '\u0000']) {
    rejectsWith('OTLP_DECODE_JSON', () => decodeOtlp('traces', Buffer.from(text), 'otlp_json'));
  }
});

test('empty containers are valid and hold no records', () => {
  for (const c of [{}, { resourceSpans: null }, { resourceSpans: [null, {}] }, { resourceSpans: [{ scopeSpans: [{}] }] }]) {
    assert.deepEqual(decodeOtlp('traces', json(c), 'otlp_json'), []);
  }
});

test('JSON limits: depth, attributes, records', () => {
  // Built as text: JSON.stringify itself cannot nest this deep.
  const nested = (levels: number): Buffer =>
    Buffer.from(
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"deep","value":` +
        '{"arrayValue":{"values":['.repeat(levels - 1) +
        '{"stringValue":"leaf"}' +
        ']}}'.repeat(levels - 1) +
        '}]}]}]}]}',
    );
  assert.equal(decodeOtlp('traces', nested(32), 'otlp_json').length, 1);
  rejectsWith('OTLP_TOO_DEEP', () => decodeOtlp('traces', nested(33), 'otlp_json'));
  rejectsWith('OTLP_TOO_DEEP', () => decodeOtlp('traces', nested(10_000), 'otlp_json'));
  assert.equal(decodeOtlp('traces', nested(1_000), 'otlp_json', { maxDepth: 1_000 }).length, 1);
  rejectsWith('OTLP_TOO_DEEP', () => decodeOtlp('traces', nested(1_000), 'otlp_json', { maxDepth: 999 }));
  rejectsWith('OTLP_TOO_DEEP', () => decodeOtlp('traces', nested(200_000), 'otlp_json', { maxDepth: Infinity }));
  const attrs = [{ key: 'a' }, { key: 'b' }];
  rejectsWith('OTLP_TOO_MANY_ATTRIBUTES', () => decodeOtlp('traces', json(oneSpan({ attributes: attrs })), 'otlp_json', { maxAttributes: 1 }));
  const two = { resourceSpans: [{ scopeSpans: [{ spans: [{}, {}] }] }] };
  rejectsWith('OTLP_TOO_MANY_RECORDS', () => decodeOtlp('traces', json(two), 'otlp_json', { maxRecords: 1 }));
});
