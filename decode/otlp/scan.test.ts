/**
 * scanOtlp is the decoder's check without its records: for the same bytes it must succeed or
 * fail exactly as decodeOtlp does (the same error code), and when both succeed its thin records
 * must carry the same ids, times and resource, in the same order. Checked on the real fixtures,
 * their prefixes and mutations, random well-framed messages and hostile bodies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PermanentError } from '../../lib/errors.js';
import type { Signal } from '../../receive/transport/transport.js';
import { decodeOtlp, scanOtlp } from './decode.js';
import type { DecodedRecord } from './records.js';
import type { DecodeLimits } from './limits.js';
import { keyValue, len, nestedArrayAnyValue, nestedKvlistAnyValue, tag, traceRequest, varint } from './wire-builder.js';
import { prng } from '../../test/helpers/prng.js';

function outcome(read: () => DecodedRecord[]): { code: string; records?: DecodedRecord[] } {
  try {
    return { code: 'ok', records: read() };
  } catch (err) {
    assert.ok(err instanceof PermanentError, String(err));
    return { code: err.code };
  }
}

const identity = (r: DecodedRecord): unknown =>
  r.signal === 'traces'
    ? { signal: r.signal, traceId: r.traceId, spanId: r.spanId, start: r.startTimeUnixNano, end: r.endTimeUnixNano, resource: r.resource, scope: r.scope }
    : { signal: r.signal, time: r.timeUnixNano, observed: r.observedTimeUnixNano, resource: r.resource, scope: r.scope };

let compared = 0;
let decoded = 0;

function same(signal: Signal, body: Uint8Array, label: string, limits?: Partial<DecodeLimits>): string {
  const full = outcome(() => decodeOtlp(signal, body, 'otlp_proto', limits));
  const thin = outcome(() => scanOtlp(signal, body, 'otlp_proto', limits));
  assert.equal(thin.code, full.code, `${label}: the scan answers ${thin.code}, the decoder ${full.code}`);
  if (full.records) {
    assert.deepEqual(thin.records!.map(identity), full.records.map(identity), label);
    decoded++;
  }
  compared++;
  return full.code;
}

const load = (name: string): Buffer => readFileSync(new URL(`./testdata/${name}.binpb`, import.meta.url));
const fixtures = [
  ['traces', 'traces_genai_execute_tool'],
  ['logs', 'logs_claude_code'],
] as const;

test('real payloads, every prefix and random mutations: the scan and the decoder agree', () => {
  const rand = prng(11);
  for (const [signal, name] of fixtures) {
    const proto = load(name);
    assert.equal(same(signal, proto, name), 'ok');
    assert.ok(scanOtlp(signal, proto, 'otlp_proto').length > 0);
    for (let n = 0; n < proto.length; n++) same(signal, proto.subarray(0, n), `${name} prefix ${n}`);
    for (let i = 0; i < 800; i++) {
      const body = Buffer.from(proto);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256);
      same(signal, body, `${name} mutation ${i}`);
    }
  }
  assert.ok(decoded > 50, `mutations that still decode: ${decoded}`);
});

test('random well-framed messages and garbage: the scan and the decoder agree', () => {
  const rand = prng(99);
  const randomMessage = (depth: number): Buffer => {
    const parts: Buffer[] = [];
    const fields = Math.floor(rand() * 6);
    for (let f = 0; f < fields; f++) {
      const fieldNumber = 1 + Math.floor(rand() * 16);
      const wireType = [0, 1, 2, 2, 2, 5][Math.floor(rand() * 6)]!;
      if (wireType === 0) parts.push(tag(fieldNumber, 0), varint(Math.floor(rand() * 2 ** 40)));
      else if (wireType === 1) parts.push(tag(fieldNumber, 1), Buffer.alloc(8, Math.floor(rand() * 256)));
      else if (wireType === 5) parts.push(tag(fieldNumber, 5), Buffer.alloc(4, Math.floor(rand() * 256)));
      else parts.push(len(fieldNumber, depth < 6 && rand() < 0.7 ? randomMessage(depth + 1) : Buffer.from('str\xff')));
    }
    return Buffer.concat(parts);
  };
  const codes = new Set<string>();
  for (let i = 0; i < 3000; i++) codes.add(same(i % 2 ? 'traces' : 'logs', randomMessage(0), `structured ${i}`));
  for (let i = 0; i < 2000; i++) {
    const body = Buffer.alloc(Math.floor(rand() * 200));
    for (let b = 0; b < body.length; b++) body[b] = Math.floor(rand() * 256);
    if (i % 2 === 0 && body.length > 0) body[0] = 0x0a;
    codes.add(same(i % 4 < 2 ? 'traces' : 'logs', body, `garbage ${i}`));
  }
  assert.ok(codes.has('ok') && codes.has('OTLP_DECODE_PROTO'), [...codes].join(' '));
});

test('limits: depth, attributes and records are refused by the scan as by the decoder', () => {
  const logWithBody = (body: Buffer): Buffer => len(1, len(2, len(2, len(5, body))));
  assert.equal(same('logs', logWithBody(nestedKvlistAnyValue(32)), 'kvlist 32'), 'ok');
  assert.equal(same('logs', logWithBody(nestedKvlistAnyValue(33)), 'kvlist 33'), 'OTLP_TOO_DEEP');
  assert.equal(same('traces', traceRequest(len(9, keyValue('deep', nestedArrayAnyValue(40)))), 'deep array'), 'OTLP_TOO_DEEP');
  const attributes = Buffer.concat(Array.from({ length: 5 }, (_, i) => len(9, keyValue(`k${i}`, len(1, 'v')))));
  assert.equal(same('traces', traceRequest(attributes), 'attributes', { maxAttributes: 4 }), 'OTLP_TOO_MANY_ATTRIBUTES');
  const spans = Buffer.concat(Array.from({ length: 3 }, () => len(2, len(5, 'span'))));
  assert.equal(same('traces', len(1, len(2, spans)), 'records', { maxRecords: 2 }), 'OTLP_TOO_MANY_RECORDS');
  assert.equal(same('traces', Buffer.alloc(33), 'size', { maxBytes: 32 }), 'OTLP_TOO_LARGE');
  assert.ok(compared > 0);
});
