/**
 * Reads a parsed policy document into a Policy, collecting every problem: unknown keys at any
 * level, an unsupported version, bad modes and severities, unknown detector names, and whatever
 * each detector's own validation says about its config (base layer over the defaults; each
 * override over the layers before it, exactly as `resolve` will fold them).
 */
import { FINDING_SEVERITIES, type DetectorName } from '../../model/finding.js';
import type { AnyDetectorFactory } from '../registry.js';
import { Fields, isMapping } from '../common/config-fields.js';
import type { DetectorLayer, Policy, PolicyLayer, PolicyOverride } from './policy-types.js';
import { resolveLayers } from './resolve-policy.js';

export const POLICY_VERSION = 1;
const TOP_KEYS = ['version', 'mode', 'kill_switch', 'gate', 'scope', 'detectors', 'overrides'];
const OVERRIDE_KEYS = ['tenant', 'agent', 'mode', 'kill_switch', 'gate', 'scope', 'detectors'];
/** The gate's defaults: deny at high, ask at medium; a destructive command rated medium or more asks (as the shipped policy says). */
export const DEFAULT_GATE = { deny_at: 'high', ask_at: 'medium', command_ask_at: 'medium' } as const;
const MODES = ['enforce', 'monitor'] as const;
const REVOKE_AT = [...FINDING_SEVERITIES, 'never'] as const;
type RevokeAt = (typeof REVOKE_AT)[number];

function unknownDetector(f: Fields, name: string, factories: readonly AnyDetectorFactory[]): boolean {
  if (factories.some((d) => d.name === name)) return false;
  f.problem(name, `unknown detector (known: ${factories.map((d) => d.name).join(', ')})`);
  return true;
}

function readKillSwitch(ks: Fields, factories: readonly AnyDetectorFactory[]): NonNullable<PolicyLayer['kill_switch']> {
  const out: NonNullable<PolicyLayer['kill_switch']> = {};
  if (ks.has('revoke_at')) out.revoke_at = ks.oneOf('revoke_at', undefined, FINDING_SEVERITIES);
  if (ks.has('detectors')) {
    out.detectors = ks.entries<{ revoke_at: RevokeAt }>('detectors', {}, (m, name) => {
      unknownDetector(m, name, factories);
      return { revoke_at: m.object(name, ['revoke_at']).oneOf('revoke_at', undefined, REVOKE_AT) };
    });
  }
  return out;
}

function readDetectors(ds: Fields, factories: readonly AnyDetectorFactory[]): PolicyLayer['detectors'] {
  const out: PolicyLayer['detectors'] = {};
  for (const name of ds.keys()) {
    if (unknownDetector(ds, name, factories)) continue;
    const entry = ds.raw(name);
    // Open: the config's own keys are the detector's to check. Empty (null) leaves it as it is.
    const e = new Fields(entry, ds.path(name), undefined, ds.problems);
    if (entry !== null && !isMapping(entry)) continue;
    const { enabled: _enabled, ...config } = entry ?? {};
    const d: DetectorLayer = { config };
    if (e.has('enabled')) d.enabled = e.boolean('enabled', undefined);
    out[name as DetectorName] = d;
  }
  return out;
}

function readLayer(f: Fields, path: string, factories: readonly AnyDetectorFactory[]): PolicyLayer {
  const layer: PolicyLayer = { path, detectors: {} };
  if (f.has('mode')) layer.mode = f.oneOf('mode', undefined, MODES);
  if (f.has('kill_switch')) layer.kill_switch = readKillSwitch(f.object('kill_switch', ['revoke_at', 'detectors']), factories);
  if (f.has('gate')) {
    const g = f.object('gate', ['deny_at', 'ask_at', 'command_ask_at']);
    layer.gate = {};
    if (g.has('deny_at')) layer.gate.deny_at = g.oneOf('deny_at', undefined, REVOKE_AT);
    if (g.has('ask_at')) layer.gate.ask_at = g.oneOf('ask_at', undefined, REVOKE_AT);
    if (g.has('command_ask_at')) layer.gate.command_ask_at = g.oneOf('command_ask_at', undefined, REVOKE_AT);
  }
  if (f.has('scope')) {
    const sc = f.object('scope', ['allow', 'deny']);
    layer.scope = {};
    for (const key of ['allow', 'deny'] as const) if (sc.has(key)) layer.scope[key] = sc.strings(key, undefined);
  }
  if (f.has('detectors')) layer.detectors = readDetectors(f.object('detectors'), factories);
  return layer;
}

export function parsePolicy(doc: unknown, source: string, factories: readonly AnyDetectorFactory[], problems: string[]): Policy {
  if (!isMapping(doc)) problems.push('(root): a policy must be a mapping');
  const f = new Fields(isMapping(doc) ? doc : {}, '', TOP_KEYS, problems);
  if (f.raw('version') !== POLICY_VERSION) f.problem('version', `expected ${POLICY_VERSION}, got ${JSON.stringify(f.raw('version'))}`);
  const base = readLayer(f, '', factories);
  const policy: Policy = {
    version: POLICY_VERSION,
    source,
    base: {
      ...base,
      mode: base.mode ?? 'enforce',
      kill_switch: { revoke_at: base.kill_switch?.revoke_at ?? 'high', detectors: base.kill_switch?.detectors ?? {} },
      scope: { allow: base.scope?.allow ?? [], deny: base.scope?.deny ?? [] },
      gate: {
        deny_at: base.gate?.deny_at ?? DEFAULT_GATE.deny_at,
        ask_at: base.gate?.ask_at ?? DEFAULT_GATE.ask_at,
        command_ask_at: base.gate?.command_ask_at ?? DEFAULT_GATE.command_ask_at,
      },
    },
    overrides: [],
    factories,
  };
  const overrides = f.has('overrides') ? f.value('overrides', undefined, 'a list', (v): v is unknown[] => Array.isArray(v), []) : [];
  overrides.forEach((raw, i) => {
    const path = `overrides[${i}]`;
    if (!isMapping(raw)) return void problems.push(`${path}: expected a mapping with tenant, got ${JSON.stringify(raw)}`);
    const o = new Fields(raw, path, OVERRIDE_KEYS, problems);
    const before = problems.length;
    const tenant = o.string('tenant', undefined, { nonEmpty: true });
    const agent = o.has('agent') ? o.string('agent', undefined, { nonEmpty: true }) : undefined;
    const named = problems.length === before;
    const layer = readLayer(o, path, factories);
    // An override without a usable tenant (or agent) applies to no one: it is reported, not folded.
    if (named) policy.overrides.push(agent === undefined ? { ...layer, tenant } : { ...layer, tenant, agent } satisfies PolicyOverride);
  });
  // Every detector config each (tenant, agent) named in the file will resolve to, checked as folded.
  resolveLayers(policy, '\u0000no-tenant', '', problems);
  for (const o of policy.overrides) resolveLayers(policy, o.tenant, o.agent ?? '\u0000any-agent', problems, o);
  return policy;
}
