/**
 * What a policy file becomes once read: the base layer (top-level `mode`, `kill_switch`, `scope`,
 * `detectors`) and the overrides in file order, each a partial layer for a tenant or a tenant's
 * agent. `resolve` folds them into a ResolvedPolicy for one (tenant, agent).
 */
import type { DetectorName, FindingSeverity } from '../../model/finding.js';
import type { AnyDetectorFactory } from '../registry.js';

export interface KillSwitchPolicy {
  /** `monitor`: findings are recorded but nothing is ever revoked automatically. */
  mode: 'enforce' | 'monitor';
  /** Findings at or above this severity revoke the session. */
  revoke_at: FindingSeverity;
  /** Per-detector override of `revoke_at` (`never`: this detector never revokes). */
  detectors: Partial<Record<DetectorName, { revoke_at: FindingSeverity | 'never' }>>;
}

export type PolicyMode = KillSwitchPolicy['mode'];

export interface PolicyScope {
  allow: string[];
  deny: string[];
}

export interface DetectorLayer {
  enabled?: boolean;
  /** The partial config as written (without `enabled`), validated by the factory. */
  config: Record<string, unknown>;
}

/** A gate threshold: the least finding severity that gets this answer, or `never`. */
export type GateThreshold = FindingSeverity | 'never';

export interface GatePolicy {
  /** Findings on an intended action at or above this severity deny it. */
  deny_at: GateThreshold;
  /** ...and at or above this one (below `deny_at`) stage it for a person (ask). */
  ask_at: GateThreshold;
  /**
   * With no finding that asks or denies: a destructive action the classifier rates at or above
   * this severity is staged for a person anyway, unless the session declared a scope that allows
   * every one of its targets — a single call is the incident, and no detector needs to have
   * seen the session before for it to deserve a second look.
   */
  command_ask_at: GateThreshold;
}

export interface PolicyLayer {
  /** Where the layer sits in the file, for problem messages (`overrides[2]`; empty for the base). */
  path: string;
  mode?: PolicyMode;
  kill_switch?: {
    revoke_at?: FindingSeverity;
    detectors?: KillSwitchPolicy['detectors'];
  };
  scope?: Partial<PolicyScope>;
  gate?: Partial<GatePolicy>;
  detectors: Partial<Record<DetectorName, DetectorLayer>>;
}

export interface PolicyOverride extends PolicyLayer {
  tenant: string;
  /** Absent: the override applies to every agent of the tenant. */
  agent?: string;
}

export interface Policy {
  version: number;
  /** File the policy was read from (`(built-in)` for the default). */
  source: string;
  base: PolicyLayer & { mode: PolicyMode; kill_switch: { revoke_at: FindingSeverity; detectors: KillSwitchPolicy['detectors'] }; scope: PolicyScope; gate: GatePolicy };
  overrides: PolicyOverride[];
  factories: readonly AnyDetectorFactory[];
}

export interface ResolvedDetector {
  factory: AnyDetectorFactory;
  config: unknown;
}

export interface ResolvedPolicy {
  tenant: string;
  agent_id: string;
  mode: PolicyMode;
  kill_switch: KillSwitchPolicy;
  scope: PolicyScope;
  /** What the gate answers an intended action (in `monitor` mode it only records what it would have). */
  gate: GatePolicy;
  /** Enabled detectors with their configs, in registry order. */
  detectors: ResolvedDetector[];
}
