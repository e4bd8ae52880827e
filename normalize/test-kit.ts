/**
 * Shared by the normalize tests (not used in production): the real classifier and redactor,
 * a fake clock, and a reader for the recorded-shape fixtures in `testdata/` (OTLP/JSON export
 * requests, decoded by the real OTLP decoder, with the AuditEvent fields expected per record).
 */
import { readFileSync } from 'node:fs';
import { FakeClock } from '../lib/clock.js';
import { createClassifier } from './classify/index.js';
import { decodeOtlp } from '../decode/otlp/index.js';
import type { DecodedRecord } from '../decode/otlp/records.js';
import { createRedactor } from './redact/index.js';
import type { NormalizerDeps } from './normalizer.js';

export const TESTDATA = new URL('./testdata/', import.meta.url);

/** Real collaborators plus a fake clock (2026-01-01T00:00:00Z). */
export function realDeps(): NormalizerDeps & { clock: FakeClock } {
  return { classifier: createClassifier(), redactor: createRedactor(), clock: new FakeClock() };
}

/** Expected fields of one event; see normalize-fixtures.test.ts for the special keys. */
export type Expectation = Record<string, unknown>;

export interface Fixture {
  description: string;
  signal: 'traces' | 'logs';
  ctx?: { tenant?: string };
  request: unknown;
  expect: Expectation[];
}

export function readFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(name, TESTDATA), 'utf8')) as Fixture;
}

export function decodeFixture(fixture: Fixture): DecodedRecord[] {
  return decodeOtlp(fixture.signal, Buffer.from(JSON.stringify(fixture.request)), 'otlp_json');
}

/** A minimal log record; override what the test is about. */
export function logRecord(over: Partial<Extract<DecodedRecord, { signal: 'logs' }>> = {}): DecodedRecord {
  return {
    signal: 'logs',
    resource: {},
    scope: { name: '', version: '' },
    timeUnixNano: '1767225600000000000',
    observedTimeUnixNano: '1767225600000000001',
    severityNumber: 9,
    severityText: 'INFO',
    body: null,
    attributes: {},
    traceId: '',
    spanId: '',
    eventName: '',
    ...over,
  };
}

/** A minimal span; override what the test is about. */
export function span(over: Partial<Extract<DecodedRecord, { signal: 'traces' }>> = {}): DecodedRecord {
  return {
    signal: 'traces',
    resource: {},
    scope: { name: '', version: '' },
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'execute_tool',
    kind: 1,
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225600500000000',
    attributes: {},
    events: [],
    status: { code: 0, message: '' },
    ...over,
  };
}
