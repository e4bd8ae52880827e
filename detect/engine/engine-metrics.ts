/**
 * The detection engine's metrics, registered on the instance's Metrics registry (never the
 * global one): time each detector spends per event, findings by detector and severity,
 * detector failures, and second opinions asked of the external judge, by outcome. Registering twice on one registry reuses the existing metrics.
 */
import { Counter } from 'prom-client';
import { registered, type Metrics } from '../../lib/metrics.js';

export interface EngineMetrics {
  detectorSeconds: Counter<'detector'>;
  detectorEvents: Counter<'detector'>;
  findings: Counter<'detector' | 'severity'>;
  failures: Counter<'detector'>;
  duplicates: Counter;
  judge: Counter<'outcome'>;
}


export function engineMetrics(metrics: Metrics): EngineMetrics {
  const r = metrics.registry;
  return {
    detectorSeconds:
      registered(r, 'warden_detector_seconds_total') ??
      new Counter({ name: 'warden_detector_seconds_total', help: 'Time detectors spent observing events (divide by warden_detector_events_total for the time per event)', labelNames: ['detector'] as const, registers: [r] }),
    detectorEvents:
      registered(r, 'warden_detector_events_total') ??
      new Counter({ name: 'warden_detector_events_total', help: 'Events observed, by detector', labelNames: ['detector'] as const, registers: [r] }),
    findings:
      registered(r, 'warden_findings_total') ??
      new Counter({ name: 'warden_findings_total', help: 'Findings emitted, by detector and severity', labelNames: ['detector', 'severity'] as const, registers: [r] }),
    failures:
      registered(r, 'warden_detector_failures_total') ??
      new Counter({ name: 'warden_detector_failures_total', help: 'Detector calls that threw (the event still flows)', labelNames: ['detector'] as const, registers: [r] }),
    duplicates:
      registered(r, 'warden_detector_duplicate_events_total') ??
      new Counter({ name: 'warden_detector_duplicate_events_total', help: 'Events already seen by the detectors (redelivered), skipped', registers: [r] }),
    judge:
      registered(r, 'warden_judge_requests_total') ??
      new Counter({
        name: 'warden_judge_requests_total',
        help: 'Borderline findings sent to the external judge, by outcome (deviates, low_confidence, does_not_deviate, error, dropped)',
        labelNames: ['outcome'] as const,
        registers: [r],
      }),
  };
}
