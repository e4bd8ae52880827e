/**
 * encodeOtlp → decodeOtlp gives back the same records, for both signals and both encodings,
 * including 64-bit times that are not safe JS integers and every AnyValue form. Records are
 * generated from a seeded PRNG so a failure reproduces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentError } from '../../lib/errors.js';
import type { Encoding } from '../../receive/transport/transport.js';
import { decodeOtlp } from './decode.js';
import { encodeOtlp } from './encode.js';
import type { AnyValue, Attributes, DecodedLogRecord, DecodedRecord, DecodedSpan, Scope } from './records.js';
import { readFileSync } from 'node:fs';
import { prng } from '../../test/helpers/prng.js';


const ENCODINGS: Encoding[] = ['otlp_proto', 'otlp_json'];
const BIG_TIMES = ['1760000000123456789', '18446744073709551615', '0', '9007199254740993'];

function randomValue(rand: () => number, depth: number): AnyValue {
  const pick = Math.floor(rand() * (depth > 3 ? 7 : 9));
  switch (pick) {
    case 0: return `s${Math.floor(rand() * 1000)} ✓ ünïcode`;
    case 1: return rand() < 0.5;
    case 2: return Math.floor((rand() - 0.5) * 2 ** 53);
    case 3: return (rand() - 0.5) * 1e6 + 0.5;
    case 4: return null;
    case 5: return new Uint8Array([0, 255, Math.floor(rand() * 256)]);
    case 6: return ['9223372036854775807', NaN, Infinity][Math.floor(rand() * 3)]!;
    case 7: return Array.from({ length: Math.floor(rand() * 3) }, () => randomValue(rand, depth + 1));
    default: return randomAttributes(rand, depth + 1, 3);
  }
}

function randomAttributes(rand: () => number, depth: number, max: number): Attributes {
  const out: Attributes = {};
  const n = Math.floor(rand() * max);
  for (let i = 0; i < n; i++) out[i === 0 ? '' : `k${i}.${Math.floor(rand() * 100)}`] = randomValue(rand, depth);
  return out;
}

const hex = (rand: () => number, bytes: number): string =>
  Array.from({ length: bytes }, () => Math.floor(rand() * 256).toString(16).padStart(2, '0')).join('');

function randomRecords(signal: 'traces' | 'logs', seed: number): DecodedRecord[] {
  const rand = prng(seed);
  const resources = [randomAttributes(rand, 1, 4), { 'service.name': 'x' }, {}];
  const scopes: Scope[] = [{ name: 'a', version: '1' }, { name: '', version: '' }];
  const out: DecodedRecord[] = [];
  for (let i = 0; i < 20; i++) {
    const resource = resources[Math.floor(rand() * resources.length)]!;
    const scope = scopes[Math.floor(rand() * scopes.length)]!;
    const time = BIG_TIMES[i % BIG_TIMES.length]!;
    if (signal === 'traces') {
      const span: DecodedSpan = {
        signal, resource, scope,
        traceId: hex(rand, 16), spanId: hex(rand, 8), parentSpanId: rand() < 0.5 ? '' : hex(rand, 8),
        name: `span ${i}`, kind: i % 6,
        startTimeUnixNano: time, endTimeUnixNano: BIG_TIMES[(i + 1) % BIG_TIMES.length]!,
        attributes: randomAttributes(rand, 1, 8),
        events: Array.from({ length: i % 3 }, (_, e) => ({ name: `e${e}`, timeUnixNano: time, attributes: randomAttributes(rand, 1, 3) })),
        status: { code: i % 3, message: i % 3 === 2 ? 'failed' : '' },
      };
      out.push(span);
    } else {
      const log: DecodedLogRecord = {
        signal, resource, scope,
        timeUnixNano: time, observedTimeUnixNano: BIG_TIMES[(i + 2) % BIG_TIMES.length]!,
        severityNumber: i % 25, severityText: i % 2 ? 'INFO' : '',
        body: randomValue(rand, 1), attributes: randomAttributes(rand, 1, 8),
        traceId: rand() < 0.3 ? '' : hex(rand, 16), spanId: rand() < 0.3 ? '' : hex(rand, 8),
        eventName: i % 2 ? 'claude_code.tool_result' : '',
      };
      out.push(log);
    }
  }
  return out;
}

for (const encoding of ENCODINGS) {
  for (const signal of ['traces', 'logs'] as const) {
    test(`round trip: ${signal} ${encoding}`, () => {
      for (let seed = 1; seed <= 25; seed++) {
        const records = randomRecords(signal, seed);
        const decoded = decodeOtlp(signal, encodeOtlp(signal, records, encoding), encoding, { maxDepth: 64 });
        assert.deepEqual(decoded, records, `seed ${seed}`);
      }
    });
  }
}

test('round trip keeps the order and regroups consecutive records under one resource and scope', () => {
  const records = randomRecords('traces', 99);
  const sameGroup = records.map((r) => ({ ...r, resource: records[0]!.resource, scope: records[0]!.scope }));
  const proto = encodeOtlp('traces', sameGroup, 'otlp_proto');
  const json = JSON.parse(encodeOtlp('traces', sameGroup, 'otlp_json').toString('utf8')) as {
    resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
  };
  assert.equal(json.resourceSpans.length, 1);
  assert.equal(json.resourceSpans[0]!.scopeSpans.length, 1);
  assert.equal(json.resourceSpans[0]!.scopeSpans[0]!.spans.length, records.length);
  const decoded = decodeOtlp('traces', proto, 'otlp_proto');
  assert.deepEqual(decoded.map((r) => (r as DecodedSpan).name), records.map((r) => (r as DecodedSpan).name));
  assert.ok(decoded.every((r) => r.resource === decoded[0]!.resource), 'one resource object is shared');
});

test('re-encoding the decoded OTel fixtures reproduces the same records', () => {
  for (const [name, signal] of [['traces_genai_execute_tool', 'traces'], ['logs_claude_code', 'logs']] as const) {
    const original = decodeOtlp(signal, readFileSync(new URL(`./testdata/${name}.binpb`, import.meta.url)), 'otlp_proto');
    for (const encoding of ENCODINGS) {
      assert.deepEqual(decodeOtlp(signal, encodeOtlp(signal, original, encoding), encoding), original);
    }
  }
});

test('the encoder refuses records it cannot write', () => {
  const [span] = randomRecords('traces', 3) as DecodedSpan[];
  const bad: DecodedRecord[] = [
    { ...span!, traceId: 'xyz' },
    { ...span!, startTimeUnixNano: '-5' },
    { ...span!, startTimeUnixNano: '18446744073709551616' },
  ];
  for (const record of bad) {
    assert.throws(() => encodeOtlp('traces', [record], 'otlp_proto'), (e: unknown) => e instanceof PermanentError && e.code === 'OTLP_ENCODE');
  }
  const [log] = randomRecords('logs', 3);
  assert.throws(() => encodeOtlp('traces', [log!], 'otlp_json'), (e: unknown) => e instanceof PermanentError && e.code === 'OTLP_ENCODE');
});
