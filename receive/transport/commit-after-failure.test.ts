/**
 * The innocent neighbours of a failing batch, on the in-process transport: when a batch's store
 * fails after later batches were already handed over, none of those later batches may commit
 * before the failed one is delivered again — a commit removes batches from the queue's head,
 * which is where the failed batch still is. (The same on Kafka: receive/kafka/commit-after-failure.test.ts.)
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PermanentError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createMemoryTransport } from './memory.js';
import type { BatchReceipt, ConsumedMessage } from './transport.js';

const idOf = (m: ConsumedMessage): string => m.value.toString();

async function errorsCounted(metrics: Metrics, stage: string): Promise<number> {
  return (await metrics.errors.get()).values.filter((v) => v.labels.stage === stage).reduce((n, v) => n + v.value, 0);
}

it('a batch whose store fails while later batches are handled is delivered again, neighbours and all; nothing after it is committed first', async () => {
  const metrics = new Metrics();
  const { producer, consumer } = createMemoryTransport({ capacity: 100, maxBatchMessages: 2, retryBackoff: { initialMs: 1, maxMs: 5 }, logger: silentLogger, metrics });
  const sent = Array.from({ length: 10 }, (_, i) => ({ signal: 'traces' as const, encoding: 'otlp_proto' as const, key: 's', value: Buffer.from(`m${i}`) }));
  await producer.send(sent);
  const stored = new Set<string>();
  let rejectPoison: (() => void) | undefined;
  let poisonFailures = 0;
  await consumer.start(async (batch): Promise<BatchReceipt> => {
    if (rejectPoison) {
      // The failed batch's store ends while this later batch is being handled.
      rejectPoison();
      rejectPoison = undefined;
      await waitFor(() => errorsCounted(metrics, 'memory-consumer'), (n) => n >= 1, { what: 'the failed store to reach the consumer' });
    }
    if (batch.some((m) => idOf(m) === 'm4') && poisonFailures === 0) {
      poisonFailures++;
      return {
        stored: new Promise<void>((_, reject) => {
          rejectPoison = () => reject(new PermanentError('STORAGE_REJECTED', 'the insert failed'));
        }),
      };
    }
    for (const m of batch) stored.add(idOf(m));
    return { stored: Promise.resolve() };
  });
  try {
    await waitFor(async () => stored.size, (n) => n === sent.length, { what: 'every message stored', timeoutMs: 5_000 });
  } finally {
    await consumer.stop();
  }
  assert.deepEqual([...stored].sort(), sent.map((m) => m.value.toString()).sort());
  assert.equal(poisonFailures, 1);
});
