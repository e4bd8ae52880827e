import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { MemoryDeadLetterSink } from './memory-dead-letter.js';
import type { ConsumedMessage } from './transport.js';

function recordingLogger(lines: unknown[]): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj) => void lines.push(obj),
    error: (obj) => void lines.push(obj),
    child: () => logger,
  };
  return logger;
}

function consumed(offset: number): ConsumedMessage {
  return {
    signal: 'traces',
    encoding: 'otlp_json',
    key: 's1',
    value: Buffer.from('{"token":"sk-secret"}'),
    origin: { topic: 'memory:traces', partition: 0, offset: String(offset) },
  };
}

it('keeps the last N dead letters, counts them by code, and logs origin and reason but not the payload', async () => {
  const lines: unknown[] = [];
  const metrics = new Metrics();
  const clock = new FakeClock(1_000);
  const sink = new MemoryDeadLetterSink({ keep: 2, clock, logger: recordingLogger(lines), metrics });
  for (const offset of [0, 1, 2]) {
    clock.advance(1);
    await sink.send(consumed(offset), { code: offset === 0 ? 'DECODE_FAILED' : 'NORMALIZE_FAILED', message: 'bad' });
  }
  assert.deepEqual(sink.entries().map((e) => [e.message.origin.offset, e.reason.code, e.at]), [
    ['1', 'NORMALIZE_FAILED', 1_002],
    ['2', 'NORMALIZE_FAILED', 1_003],
  ]);
  const counts = Object.fromEntries((await metrics.deadLettered.get()).values.map((v) => [v.labels.code, v.value]));
  assert.deepEqual(counts, { DECODE_FAILED: 1, NORMALIZE_FAILED: 2 });
  assert.equal(lines.length, 3);
  assert.match(JSON.stringify(lines[0]), /"offset":"0".*"code":"DECODE_FAILED"/);
  assert.doesNotMatch(JSON.stringify(lines), /sk-secret/);
});
