/**
 * The session registry's metrics, registered on the instance's Metrics registry (registering
 * twice on one registry reuses them): sessions evicted by tenant and reason (`tenant_cap`,
 * `global_cap` for live sessions; `declarations_spilled`, `revocation_spilled` when a parked
 * declaration or a revocation left memory for storage), reloads of spilled sessions by outcome
 * (`loaded`, `not_found`, `failed`), and sessions whose known state is gone by tenant and reason
 * (their verdicts deny). Tenant names come from telemetry, so at most `MAX_TENANT_LABELS`
 * distinct tenants get their own label; the rest are counted under `_other`.
 */
import { Counter } from 'prom-client';
import { registered, type Metrics } from '../../lib/metrics.js';

export const MAX_TENANT_LABELS = 1000;
export const OTHER_TENANTS = '_other';

export type SessionEvictionReason = 'tenant_cap' | 'global_cap' | 'declarations_spilled' | 'revocation_spilled';
export type ReloadOutcome = 'loaded' | 'not_found' | 'failed';
export type StateLostReason = 'not_found' | 'load_failed' | 'no_storage' | 'hold_full' | 'spilled_replay';

export interface SessionMetrics {
  evicted(tenant: string, reason: SessionEvictionReason): void;
  reloaded(outcome: ReloadOutcome): void;
  lost(tenant: string, reason: StateLostReason): void;
}


export function sessionMetrics(metrics: Metrics | undefined): SessionMetrics {
  if (!metrics) return { evicted: () => undefined, reloaded: () => undefined, lost: () => undefined };
  const r = metrics.registry;
  const evictions: Counter<'tenant' | 'reason'> =
    registered(r, 'warden_session_evictions_total') ??
    new Counter({ name: 'warden_session_evictions_total', help: 'Sessions pushed out of memory, by tenant and reason (tenant_cap, global_cap, declarations_spilled, revocation_spilled)', labelNames: ['tenant', 'reason'] as const, registers: [r] });
  const reloads: Counter<'outcome'> =
    registered(r, 'warden_session_reloads_total') ??
    new Counter({ name: 'warden_session_reloads_total', help: 'Spilled sessions read back from storage before their next event, by outcome (loaded, not_found, failed)', labelNames: ['outcome'] as const, registers: [r] });
  const lost: Counter<'tenant' | 'reason'> =
    registered(r, 'warden_session_state_lost_total') ??
    new Counter({ name: 'warden_session_state_lost_total', help: 'Sessions whose known state could not be kept or reloaded (their hook verdicts deny), by tenant and reason', labelNames: ['tenant', 'reason'] as const, registers: [r] });
  const labels = new Set<string>();
  const label = (tenant: string): string => {
    if (labels.has(tenant)) return tenant;
    if (labels.size >= MAX_TENANT_LABELS) return OTHER_TENANTS;
    labels.add(tenant);
    return tenant;
  };
  return {
    evicted: (tenant, reason) => evictions.inc({ tenant: label(tenant), reason }),
    reloaded: (outcome) => reloads.inc({ outcome }),
    lost: (tenant, reason) => lost.inc({ tenant: label(tenant), reason }),
  };
}
