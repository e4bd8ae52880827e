/**
 * scope_drift config: declared scope added by policy (`allow`, `deny`), how the working set is
 * learned, the thresholds, and the knowledge lists of defaults.yaml (sensitive kinds, known
 * targets, cleanup classes, distances, impact weights). The defaults are defaults.yaml read
 * through the same `validate` a policy override goes through, so a bad data file fails at
 * startup with the same field-named problems.
 */
import type { Severity } from '../../model/audit-event.js';
import type { ConfigCheck } from '../detector.js';
import { Fields } from '../common/config-fields.js';
import { loadDefaults } from '../common/load-data.js';
import { readSensitiveKind, SENSITIVE_KIND_FIELDS, type SensitiveKind } from './sensitive.js';

export interface UriDistance {
  /** Leading segments that make an anchor (`k8s`: 2 = context and namespace). */
  depth: number;
  /** Distance of a mismatch at each anchor segment, outermost first. */
  levels: number[];
}

export interface ScopeDriftConfig {
  /** Allow patterns from policy, merged with the session's `warden.scope.allow`. */
  allow: string[];
  /** Never-touch patterns from policy, merged with the session's `warden.scope.deny`. */
  deny: string[];
  /** Distinct actions the working set is learned from (undeclared scope only). */
  learn_actions: number;
  /** After learning, the first non-destructive action on a kind the session never used becomes its anchor. */
  adopt_new_kinds: boolean;
  /** Target kinds whose destructive actions are judged against the anchors the session wrote in, not those it only read. */
  write_root_kinds: string[];
  /** Severity of a read outside a declared allow-list. */
  read_outside_allow: 'low' | 'silent';
  /** Learned-scope score thresholds. */
  thresholds: { medium: number; high: number };
  sensitive_kinds: SensitiveKind[];
  /** Tuning hook: targets that are never drift (scratch space). */
  known_targets: string[];
  /**
   * The working directory's own remote (`github://current`: what `gh pr create` acts on): a change
   * there is the session's own work, not drift outside a declared allow-list; a destructive action
   * there is judged like any other.
   */
  workspace_remotes: string[];
  /** Action classes that clean up (see defaults.yaml). */
  cleanup_classes: string[];
  distance: { path_step: number; min_path_depth: number; new_kind: number; sensitive_min: number; read_only: number; uri: Record<string, UriDistance> };
  impact: { read: number; change: number; destructive: number; severity_bonus: Record<Severity, number>; read_classes: string[] };
  /** Working-set anchors kept per target kind. */
  max_anchors: number;
  /** Reported (target area, reason) pairs remembered per session, so one area is reported once per severity. */
  max_reported: number;
}

const FIELDS = ['allow', 'deny', 'learn_actions', 'adopt_new_kinds', 'write_root_kinds', 'read_outside_allow', 'thresholds', 'sensitive_kinds',
  'known_targets', 'workspace_remotes', 'cleanup_classes', 'distance', 'impact', 'max_anchors', 'max_reported'] as const;
const SEVERITIES: readonly Severity[] = ['none', 'low', 'medium', 'high', 'critical'];

const FALLBACK: ScopeDriftConfig = {
  allow: [], deny: [], learn_actions: 5, adopt_new_kinds: true, write_root_kinds: [], read_outside_allow: 'low',
  thresholds: { medium: 0.5, high: 0.9 }, sensitive_kinds: [], known_targets: [], workspace_remotes: [], cleanup_classes: [],
  distance: { path_step: 0.35, min_path_depth: 2, new_kind: 0.6, sensitive_min: 0.7, read_only: 0.35, uri: { default: { depth: 1, levels: [0.8] } } },
  impact: { read: 0.3, change: 0.6, destructive: 0.9, severity_bonus: { none: 0, low: 0, medium: 0.1, high: 0.2, critical: 0.3 }, read_classes: ['read', 'none'] },
  max_anchors: 32, max_reported: 256,
};

const isLevels = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'number' && n >= 0 && n <= 1);

/** A kind the base does not have is read over the base's `default` entry. */
function readUri(d: Fields, base: Record<string, UriDistance>): Record<string, UriDistance> {
  const uri = d.entries('uri', base, (m, kind, prev) => {
    const e = m.object(kind, ['depth', 'levels']);
    const over = prev ?? base['default'] ?? { depth: 1, levels: [0.8] };
    return {
      depth: e.number('depth', over.depth, { min: 1, max: 8, integer: true }),
      levels: e.value('levels', over.levels, 'a non-empty list of numbers between 0 and 1', isLevels, []),
    };
  });
  if (uri['default'] === undefined) d.problem('uri', 'needs a `default` entry');
  return uri;
}

export function validateScopeDrift(raw: unknown, base: ScopeDriftConfig): ConfigCheck<ScopeDriftConfig> {
  const problems: string[] = [];
  const f = new Fields(raw, '', FIELDS, problems);
  const t = f.object('thresholds', ['medium', 'high']);
  const d = f.object('distance', ['path_step', 'min_path_depth', 'new_kind', 'sensitive_min', 'read_only', 'uri']);
  const im = f.object('impact', ['read', 'change', 'destructive', 'severity_bonus', 'read_classes']);
  const unit = { min: 0, max: 1 };
  const config: ScopeDriftConfig = {
    allow: f.strings('allow', base.allow),
    deny: f.strings('deny', base.deny),
    learn_actions: f.number('learn_actions', base.learn_actions, { min: 1, max: 100, integer: true }),
    adopt_new_kinds: f.boolean('adopt_new_kinds', base.adopt_new_kinds),
    write_root_kinds: f.strings('write_root_kinds', base.write_root_kinds),
    read_outside_allow: f.oneOf('read_outside_allow', base.read_outside_allow, ['low', 'silent'] as const),
    thresholds: { medium: t.number('medium', base.thresholds.medium, { min: 0, max: 10 }), high: t.number('high', base.thresholds.high, { min: 0, max: 10 }) },
    sensitive_kinds: f.list('sensitive_kinds', base.sensitive_kinds, SENSITIVE_KIND_FIELDS, readSensitiveKind),
    known_targets: f.strings('known_targets', base.known_targets),
    workspace_remotes: f.strings('workspace_remotes', base.workspace_remotes),
    cleanup_classes: f.strings('cleanup_classes', base.cleanup_classes),
    distance: {
      path_step: d.number('path_step', base.distance.path_step, unit),
      min_path_depth: d.number('min_path_depth', base.distance.min_path_depth, { min: 0, max: 16, integer: true }),
      new_kind: d.number('new_kind', base.distance.new_kind, unit),
      sensitive_min: d.number('sensitive_min', base.distance.sensitive_min, unit),
      read_only: d.number('read_only', base.distance.read_only, unit),
      uri: readUri(d, base.distance.uri),
    },
    impact: {
      read: im.number('read', base.impact.read, { min: 0, max: 10 }),
      change: im.number('change', base.impact.change, { min: 0, max: 10 }),
      destructive: im.number('destructive', base.impact.destructive, { min: 0, max: 10 }),
      severity_bonus: im.numbers('severity_bonus', SEVERITIES, base.impact.severity_bonus, { min: 0, max: 10 }),
      read_classes: im.strings('read_classes', base.impact.read_classes),
    },
    max_anchors: f.number('max_anchors', base.max_anchors, { min: 1, max: 10_000, integer: true }),
    max_reported: f.number('max_reported', base.max_reported, { min: 1, max: 100_000, integer: true }),
  };
  if (config.thresholds.medium >= config.thresholds.high) t.problem('medium', `must be below thresholds.high (${config.thresholds.high})`);
  return { config, problems };
}

export const SCOPE_DRIFT_DEFAULTS: ScopeDriftConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), (raw) => validateScopeDrift(raw, FALLBACK));
