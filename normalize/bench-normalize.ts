/**
 * Throughput of the normalize stage (run: `node --import tsx normalize/bench-normalize.ts`).
 * Decodes the recorded-shape fixtures once and repeats their records into batches of 500; every
 * copy gets its own ids, times and per-event values (timestamps, tool call ids, durations,
 * commands), so memoized redaction only helps where real streams repeat too (resource
 * attributes, session ids, names). Normalizes them three ways: constant classifier + pass-through redactor
 * (normalize's own cost), constant classifier + real redactor, and real classifier + real
 * redactor. Prints records per second for each.
 */
import { readdirSync } from 'node:fs';
import type { Classification, Classifier } from './classify/classification.js';
import { createClassifier } from './classify/index.js';
import type { Attributes, DecodedRecord } from '../decode/otlp/records.js';
import type { Redactor } from './redact/redaction.js';
import { createRedactor } from './redact/index.js';
import { createNormalizer, type NormalizerDeps } from './normalizer.js';
import { TESTDATA, decodeFixture, readFixture } from './test-kit.js';

const BATCH = 500;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 200);

const constant: Classification = { action_class: 'none', destructive: false, reversible: true, severity: 'none', blast_radius: 'none', targets: [], matches: [] };
const constantClassifier: Classifier = { classify: () => constant };
const passThrough: Redactor = {
  redact: (text) => ({ text, count: 0, kinds: [] }),
  redactNamed: (_name, text) => ({ text, count: 0, kinds: [] }),
};

/** Keys whose values differ per event in real streams; the copy makes them unique. */
const PER_EVENT = new Set(['event.timestamp', 'tool_use_id', 'call_id', 'gen_ai.tool.call.id', 'duration_ms', 'warden.action.command']);
const ARGUMENTS = new Set(['tool_parameters', 'arguments', 'gen_ai.tool.call.arguments']);

function vary(attributes: Attributes, i: number): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (PER_EVENT.has(key)) out[key] = `${String(value)}-${i}`;
    else if (ARGUMENTS.has(key) && typeof value === 'string') out[key] = value.replace(/"(command|bash_command|cmd)":"/g, `"$1":"cd /w${i} && `);
    else out[key] = value;
  }
  return out;
}

function corpus(batches: number, first: number): DecodedRecord[][] {
  const base = readdirSync(TESTDATA)
    .filter((n) => n.endsWith('.json'))
    .flatMap((n) => decodeFixture(readFixture(n)));
  const out: DecodedRecord[][] = [];
  let i = first;
  for (let b = 0; b < batches; b++) {
    const batch: DecodedRecord[] = [];
    for (; batch.length < BATCH; i++) {
      const r = base[i % base.length]!;
      const attributes = vary(r.attributes, i);
      batch.push(
        r.signal === 'traces'
          ? { ...r, attributes, spanId: i.toString(16).padStart(16, '0') }
          : { ...r, attributes, timeUnixNano: `${BigInt(r.timeUnixNano) + BigInt(i)}` },
      );
    }
    out.push(batch);
  }
  return out;
}

function run(label: string, deps: NormalizerDeps): void {
  const normalizer = createNormalizer(deps);
  for (const batch of corpus(20, 1e9)) normalizer.normalize(batch); // warm-up
  const batches = corpus(BATCHES, 0);
  const start = process.hrtime.bigint();
  let n = 0;
  for (const batch of batches) n += normalizer.normalize(batch).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(44)} ${Math.round(n / seconds).toLocaleString('en-US').padStart(9)} records/s  (${n} records)`);
}

run('normalize only (constant classifier, no-op redactor)', { classifier: constantClassifier, redactor: passThrough });
run('+ real redactor', { classifier: constantClassifier, redactor: createRedactor() });
run('+ real classifier and redactor', { classifier: createClassifier(), redactor: createRedactor() });
