import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from './metrics.js';

test('process metrics are off by default and, once asked for, include event-loop delay and GC pauses', async () => {
  const metrics = new Metrics();
  assert.doesNotMatch(await metrics.registry.metrics(), /nodejs_eventloop_lag/);
  metrics.collectProcessMetrics();
  metrics.collectProcessMetrics(); // a second call must not register twice (prom-client would throw)
  // The event-loop delay histogram needs a few samples before its percentiles mean anything.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const text = await metrics.registry.metrics();
  for (const name of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds', 'process_cpu_seconds_total', 'warden_events_received_total']) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
});
