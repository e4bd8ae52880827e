/**
 * The gate's metrics on the instance's registry: decisions by answer (and what enforce mode
 * would have answered), the time to decide inside Warden, and calls an operator allowed once.
 * Registering twice on one registry reuses the existing metrics.
 */
import { Counter, Histogram } from 'prom-client';
import { registered, type Metrics } from '../../lib/metrics.js';

export interface GateMetrics {
  decisions: Counter<'decision' | 'would_be'>;
  latency: Histogram;
  allowOnce: Counter;
}


export function gateMetrics(metrics: Metrics): GateMetrics {
  const r = metrics.registry;
  return {
    decisions:
      registered(r, 'warden_gate_decisions_total') ??
      new Counter({ name: 'warden_gate_decisions_total', help: 'Intended actions decided by the gate, by decision and by what enforce mode would have answered', labelNames: ['decision', 'would_be'] as const, registers: [r] }),
    latency:
      registered(r, 'warden_gate_decision_seconds') ??
      new Histogram({ name: 'warden_gate_decision_seconds', help: 'Time to decide one intended action inside Warden (normalized event in, decision out)', buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], registers: [r] }),
    allowOnce:
      registered(r, 'warden_gate_allow_once_total') ??
      new Counter({ name: 'warden_gate_allow_once_total', help: 'Denied calls an operator allowed once', registers: [r] }),
  };
}
