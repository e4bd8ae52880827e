/**
 * What the worker's counters gained since the last call, so the main thread can add the same
 * increments to its own Metrics (the one /metrics shows).
 */
import type { Counter } from 'prom-client';
import type { Metrics } from '../../lib/metrics.js';
import type { CounterDelta } from './protocol.js';

const COUNTERS = ['received', 'sent', 'errors', 'redactions', 'withoutSession'] as const;

export function counterDeltas(metrics: Metrics): () => Promise<CounterDelta[]> {
  const seen = new Map<string, number>();
  return async () => {
    const out: CounterDelta[] = [];
    for (const counter of COUNTERS) {
      const { values } = await metrics[counter].get();
      for (const { labels, value } of values) {
        const key = `${counter}\u0000${JSON.stringify(labels)}`;
        const gained = value - (seen.get(key) ?? 0);
        if (gained === 0) continue;
        seen.set(key, value);
        out.push({ counter, labels: labels as Record<string, string>, value: gained });
      }
    }
    return out;
  };
}

/** Adds the worker's increments to this thread's counters. */
export function applyDeltas(metrics: Metrics, deltas: readonly CounterDelta[]): void {
  // The counters differ only in their label names; the labels came from the same counter.
  for (const d of deltas) (metrics[d.counter] as Counter<string>).inc(d.labels, d.value);
}
