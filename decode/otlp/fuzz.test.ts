/**
 * Fuzz-style robustness: truncated, mutated, random and hostile bodies. Every case must either
 * decode or throw a PermanentError carrying one of the documented OTLP_* codes — never another
 * exception type, never a hang. Randomness comes from a seeded PRNG so failures reproduce.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PermanentError } from '../../lib/errors.js';
import type { Encoding, Signal } from '../../receive/transport/transport.js';
import { decodeOtlp } from './decode.js';
import type { DecodeLimits } from './limits.js';
import { OTLP_ERROR_CODES } from './otlp-errors.js';
import { keyValue, len, nestedArrayAnyValue, nestedKvlistAnyValue, tag, traceRequest, varint } from './wire-builder.js';
import { prng } from '../../test/helpers/prng.js';


const codes = new Set<string>(OTLP_ERROR_CODES);

/** Decodes; returns the error code, or 'ok'. Fails the test on any other kind of failure. */
function attempt(signal: Signal, body: Uint8Array, encoding: Encoding, label: string, limits?: Partial<DecodeLimits>): string {
  try {
    decodeOtlp(signal, body, encoding, limits);
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof PermanentError, `${label}: threw ${String(err)}`);
    assert.ok(codes.has(err.code), `${label}: unknown code ${err.code}`);
    return err.code;
  }
}

const fixtures = [
  ['traces', 'traces_genai_execute_tool'],
  ['logs', 'logs_claude_code'],
] as const;
const load = (name: string, ext: string): Buffer => readFileSync(new URL(`./testdata/${name}.${ext}`, import.meta.url));

test('every prefix of a real payload decodes or fails cleanly', () => {
  for (const [signal, name] of fixtures) {
    const proto = load(name, 'binpb');
    const seen = new Set<string>();
    for (let n = 0; n < proto.length; n++) seen.add(attempt(signal, proto.subarray(0, n), 'otlp_proto', `${name} proto prefix ${n}`));
    assert.ok(seen.has('OTLP_DECODE_PROTO'), 'truncation is detected');
    const json = load(name, 'json');
    for (let n = 0; n < json.length; n += 3) attempt(signal, json.subarray(0, n), 'otlp_json', `${name} json prefix ${n}`);
  }
});

test('random byte mutations of real payloads decode or fail cleanly', () => {
  const rand = prng(7);
  for (const [signal, name] of fixtures) {
    for (const [encoding, ext] of [['otlp_proto', 'binpb'], ['otlp_json', 'json']] as const) {
      const original = load(name, ext);
      for (let i = 0; i < 1500; i++) {
        const body = Buffer.from(original);
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) body[Math.floor(rand() * body.length)] = Math.floor(rand() * 256);
        attempt(signal, body, encoding, `${name} ${encoding} mutation ${i}`);
      }
    }
  }
});

test('random garbage decodes or fails cleanly', () => {
  const rand = prng(42);
  for (let i = 0; i < 4000; i++) {
    const body = Buffer.alloc(Math.floor(rand() * 300));
    for (let b = 0; b < body.length; b++) body[b] = Math.floor(rand() * 256);
    // Half the cases start with a plausible tag so the decoder gets past the first byte.
    if (i % 2 === 0 && body.length > 0) body[0] = 0x0a;
    const signal: Signal = i % 4 < 2 ? 'traces' : 'logs';
    attempt(signal, body, 'otlp_proto', `garbage ${i}`);
    attempt(signal, body, 'otlp_json', `garbage json ${i}`);
  }
});

test('random well-formed-looking messages (valid framing, random fields) decode or fail cleanly', () => {
  const rand = prng(1234);
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
  const outcomes = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    outcomes.add(attempt(i % 2 ? 'traces' : 'logs', randomMessage(0), 'otlp_proto', `structured ${i}`));
  }
  assert.ok(outcomes.has('ok'), 'some random messages decode');
});

test('hostile bodies: oversized, deep, huge declared lengths, invalid UTF-8', () => {
  const big = Buffer.alloc(1024 * 1024 + 1);
  assert.equal(attempt('traces', big, 'otlp_proto', 'oversized', { maxBytes: 1024 * 1024 }), 'OTLP_TOO_LARGE');
  assert.equal(attempt('logs', big, 'otlp_json', 'oversized json', { maxBytes: 1024 * 1024 }), 'OTLP_TOO_LARGE');
  const deep = traceRequest(len(9, keyValue('deep', nestedArrayAnyValue(10_000))));
  assert.equal(attempt('traces', deep, 'otlp_proto', 'deep'), 'OTLP_TOO_DEEP');
  // A log body nested as kvlists, 10,000 levels.
  const kvlist = nestedKvlistAnyValue(10_000);
  const logWithBody = (body: Buffer): Buffer => len(1, len(2, len(2, len(5, body))));
  assert.equal(attempt('logs', logWithBody(nestedKvlistAnyValue(32)), 'otlp_proto', 'kvlist 32'), 'ok');
  assert.equal(attempt('logs', logWithBody(nestedKvlistAnyValue(33)), 'otlp_proto', 'kvlist 33'), 'OTLP_TOO_DEEP');
  const deepLog = logWithBody(kvlist);
  assert.equal(attempt('logs', deepLog, 'otlp_proto', 'deep kvlist'), 'OTLP_TOO_DEEP');
  const deepJson = Buffer.from('['.repeat(1_000_000) + ']'.repeat(1_000_000));
  assert.equal(attempt('traces', deepJson, 'otlp_json', 'deep json array'), 'OTLP_DECODE_JSON');
  for (const length of [2 ** 31, 2 ** 32 + 5, 2n ** 63n, 2n ** 64n - 1n]) {
    const body = Buffer.concat([tag(1, 2), varint(length), Buffer.alloc(16)]);
    assert.equal(attempt('traces', body, 'otlp_proto', `length ${length}`), 'OTLP_DECODE_PROTO');
  }
  const badUtf8 = traceRequest(len(5, Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf8])));
  assert.equal(attempt('traces', badUtf8, 'otlp_proto', 'invalid utf-8'), 'ok');
  const badUtf8Json = Buffer.concat([Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}]}]}')]);
  assert.equal(attempt('traces', badUtf8Json, 'otlp_json', 'invalid utf-8 json'), 'ok');
});
