/**
 * The normalize worker is a real worker thread running the real normalizer: its outcomes must
 * be the main thread's, message for message (poison messages included, as outcomes to
 * dead-letter), its counters must reach the main thread's Metrics, and a worker that dies must
 * fail its batch as retryable — never as bad input.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { WorkerNormalizer, NORMALIZE_WORKER_FAILED } from './worker-normalizer.js';
import { inProcessNormalizer, type MessageOutcome } from '../message-normalizer.js';
import { createNormalizer } from '../index.js';
import { createClassifier } from '../classify/index.js';
import { createRedactor } from '../redact/index.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { TransportMessage } from '../../receive/transport/transport.js';
import { Metrics } from '../../lib/metrics.js';
import { silentLogger } from '../../lib/logger.js';
import { RetryableError } from '../../lib/errors.js';
import { toolSpan } from '../../test/helpers/tool-span.js';

const testdata = (name: string): Buffer => readFileSync(new URL(`../../decode/otlp/testdata/${name}`, import.meta.url));

function messages(): TransportMessage[] {
  const spans = [toolSpan('w-1', 'rm -rf /srv/data'), toolSpan('w-1', 'curl https://user:hunter2secret@example.com/x'), toolSpan('w-2', 'git status')];
  return [
    { signal: 'traces', encoding: 'otlp_proto', key: 'w-1', value: encodeOtlp('traces', spans, 'otlp_proto') },
    { signal: 'traces', encoding: 'otlp_proto', key: 'x', value: testdata('traces_genai_execute_tool.binpb') },
    { signal: 'logs', encoding: 'otlp_proto', key: 'y', value: testdata('logs_claude_code.binpb') },
    { signal: 'logs', encoding: 'otlp_json', key: 'y', value: testdata('logs_claude_code.json'), headers: { 'warden-tenant': 'acme' } },
    { signal: 'traces', encoding: 'otlp_proto', key: 'z', value: gzipSync(encodeOtlp('traces', spans, 'otlp_proto')), headers: { 'content-encoding': 'gzip' } },
    { signal: 'traces', encoding: 'otlp_proto', key: 'poison', value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) },
  ];
}

/** Records without an observed time get "now", which differs between two runs. */
function comparable(outcomes: MessageOutcome[]): unknown {
  return outcomes.map((o) => ('events' in o ? { events: o.events.map(({ observed_ns: _o, ...rest }) => rest) } : o));
}

describe('WorkerNormalizer', () => {
  const workers: WorkerNormalizer[] = [];
  after(async () => {
    for (const w of workers) await w.close();
  });

  it('gives the same outcomes as normalizing in this thread, and its counts reach this thread', async () => {
    const metrics = new Metrics();
    const worker = new WorkerNormalizer({ logger: silentLogger, metrics });
    workers.push(worker);
    await worker.start();
    const local = inProcessNormalizer(createNormalizer({ classifier: createClassifier(), redactor: createRedactor() }));
    const batch = messages();
    const [remote, here] = await Promise.all([worker.normalizeMessages(batch), local.normalizeMessages(batch)]);
    assert.equal(remote.length, batch.length);
    assert.deepEqual(comparable(remote), comparable(here));
    const events = remote.flatMap((o) => ('events' in o ? o.events : []));
    assert.ok(events.length >= 8, `events: ${events.length}`);
    assert.ok(events.some((e) => e.destructive), 'classified in the worker');
    assert.ok(events.every((e) => !e.command.includes('hunter2secret')), 'redacted in the worker');
    assert.ok('error' in remote[5]! && remote[5].error.code === 'OTLP_DECODE_PROTO' && remote[5].error.known);
    const text = await metrics.registry.metrics();
    assert.match(text, /warden_redactions_total\{kind="[a-z_]+"\} [1-9]/);
    assert.match(text, new RegExp(`warden_events_sent_total\\{stage="normalize",signal="traces"\\} ${events.filter((e) => e.signal === 'traces').length}\\b`));
    // Batches keep their order and their own outcomes when several are out at once.
    const many = await Promise.all(batch.map((m) => worker.normalizeMessages([m])));
    assert.deepEqual(comparable(many.flat()), comparable(remote));
  });

  it('a worker that dies fails its batch as retryable, and says why', async () => {
    const metrics = new Metrics();
    // Far too little memory to load the classifier: the worker dies the way an out-of-memory does.
    const worker = new WorkerNormalizer({ logger: silentLogger, metrics, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    workers.push(worker);
    await assert.rejects(worker.normalizeMessages(messages()), (err: unknown) => {
      assert.ok(err instanceof RetryableError);
      assert.equal(err.code, NORMALIZE_WORKER_FAILED);
      return true;
    });
    assert.match(await metrics.registry.metrics(), /warden_errors_total\{stage="normalize-worker",code="NORMALIZE_WORKER_FAILED"\} [1-9]/);
  });

  it('after close, batches are refused as retryable (the transport delivers them again)', async () => {
    const worker = new WorkerNormalizer({ logger: silentLogger, metrics: new Metrics() });
    await worker.start();
    await worker.close();
    await assert.rejects(worker.normalizeMessages(messages()), (err: unknown) => err instanceof RetryableError && err.code === NORMALIZE_WORKER_FAILED);
  });
});
