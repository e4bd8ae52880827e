/**
 * Reads a parsed policy document into a Policy, collecting every problem: unknown keys at any
 * level, an unsupported version, bad modes and severities, unknown detector names, and whatever
 * each detector's own validation says about its config (base layer over the defaults; each
 * override over the layers before it, exactly as `resolve` will fold them).
 */
import type { DetectorName } from '../finding.js';
import type { AnyDetectorFactory } from '../registry.js';
import { checkBoolean, checkOneOf, checkSeverity, checkString, checkStringList, FINDING_SEVERITIES } from './config-checks.js';
import { isPlainObject } from './config-merge.js';
import type { DetectorLayer, Policy, PolicyLayer, PolicyOverride } from './policy-types.js';
import { resolveLayers } from './resolve-policy.js';

export const POLICY_VERSION = 1;
const TOP_KEYS = ['version', 'mode', 'kill_switch', 'scope', 'detectors', 'overrides'];
const OVERRIDE_KEYS = ['tenant', 'agent', 'mode', 'kill_switch', 'scope', 'detectors'];
const REVOKE_AT = [...FINDING_SEVERITIES, 'never'] as const;

function unknownKeys(problems: string[], path: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) problems.push(`${path ? `${path}.` : ''}${key}: unknown key`);
}

function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function readLayer(raw: Record<string, unknown>, path: string, factories: readonly AnyDetectorFactory[], problems: string[]): PolicyLayer {
  const layer: PolicyLayer = { path, detectors: {} };
  if (raw.mode !== undefined && checkOneOf(problems, at(path, 'mode'), raw.mode, ['enforce', 'monitor'] as const)) layer.mode = raw.mode;
  if (raw.kill_switch !== undefined) {
    const ks = raw.kill_switch;
    const ksPath = at(path, 'kill_switch');
    if (!isPlainObject(ks)) problems.push(`${ksPath}: must be a mapping`);
    else {
      unknownKeys(problems, ksPath, ks, ['revoke_at', 'detectors']);
      layer.kill_switch = {};
      if (ks.revoke_at !== undefined && checkSeverity(problems, `${ksPath}.revoke_at`, ks.revoke_at)) layer.kill_switch.revoke_at = ks.revoke_at;
      if (ks.detectors !== undefined) {
        if (!isPlainObject(ks.detectors)) problems.push(`${ksPath}.detectors: must be a mapping`);
        else {
          layer.kill_switch.detectors = {};
          for (const [name, entry] of Object.entries(ks.detectors)) {
            const p = `${ksPath}.detectors.${name}`;
            if (!factories.some((f) => f.name === name)) problems.push(`${p}: unknown detector (known: ${factories.map((f) => f.name).join(', ')})`);
            if (!isPlainObject(entry)) {
              problems.push(`${p}: must be a mapping with revoke_at`);
              continue;
            }
            unknownKeys(problems, p, entry, ['revoke_at']);
            if (checkOneOf(problems, `${p}.revoke_at`, entry.revoke_at, REVOKE_AT)) layer.kill_switch.detectors[name as DetectorName] = { revoke_at: entry.revoke_at };
          }
        }
      }
    }
  }
  if (raw.scope !== undefined) {
    const sc = raw.scope;
    const scPath = at(path, 'scope');
    if (!isPlainObject(sc)) problems.push(`${scPath}: must be a mapping with allow and deny`);
    else {
      unknownKeys(problems, scPath, sc, ['allow', 'deny']);
      layer.scope = {};
      for (const key of ['allow', 'deny'] as const) {
        if (sc[key] === undefined) continue;
        if (Array.isArray(sc[key]) && sc[key].length === 0) layer.scope[key] = [];
        else if (checkStringList(problems, `${scPath}.${key}`, sc[key])) layer.scope[key] = sc[key];
      }
    }
  }
  if (raw.detectors !== undefined) {
    const ds = raw.detectors;
    const dPath = at(path, 'detectors');
    if (!isPlainObject(ds)) problems.push(`${dPath}: must be a mapping of detector name to config`);
    else {
      for (const [name, entry] of Object.entries(ds)) {
        const p = `${dPath}.${name}`;
        if (!factories.some((f) => f.name === name)) {
          problems.push(`${p}: unknown detector (known: ${factories.map((f) => f.name).join(', ')})`);
          continue;
        }
        if (entry !== null && !isPlainObject(entry)) {
          problems.push(`${p}: must be a mapping`);
          continue;
        }
        const { enabled, ...config } = entry ?? {};
        const d: DetectorLayer = { config };
        if (enabled !== undefined && checkBoolean(problems, `${p}.enabled`, enabled)) d.enabled = enabled;
        layer.detectors[name as DetectorName] = d;
      }
    }
  }
  return layer;
}

export function parsePolicy(doc: unknown, source: string, factories: readonly AnyDetectorFactory[], problems: string[]): Policy {
  const raw = isPlainObject(doc) ? doc : {};
  if (!isPlainObject(doc)) problems.push('(root): a policy must be a mapping');
  unknownKeys(problems, '', raw, TOP_KEYS);
  if (raw.version !== POLICY_VERSION) problems.push(`version: must be ${POLICY_VERSION} (got ${JSON.stringify(raw.version)})`);
  const base = readLayer(raw, '', factories, problems);
  const policy: Policy = {
    version: POLICY_VERSION,
    source,
    base: {
      ...base,
      mode: base.mode ?? 'enforce',
      kill_switch: { revoke_at: base.kill_switch?.revoke_at ?? 'high', detectors: base.kill_switch?.detectors ?? {} },
      scope: { allow: base.scope?.allow ?? [], deny: base.scope?.deny ?? [] },
    },
    overrides: [],
    factories,
  };
  if (raw.overrides !== undefined && !Array.isArray(raw.overrides)) problems.push('overrides: must be a list');
  const overrides: unknown[] = Array.isArray(raw.overrides) ? raw.overrides : [];
  overrides.forEach((o, i) => {
    const path = `overrides[${i}]`;
    if (!isPlainObject(o)) return void problems.push(`${path}: must be a mapping with tenant`);
    unknownKeys(problems, path, o, OVERRIDE_KEYS);
    const tenantOk = checkString(problems, `${path}.tenant`, o.tenant);
    const agentOk = o.agent === undefined || checkString(problems, `${path}.agent`, o.agent);
    const layer = readLayer(o, path, factories, problems);
    if (tenantOk && agentOk) {
      const override: PolicyOverride = { ...layer, tenant: o.tenant as string };
      if (typeof o.agent === 'string') override.agent = o.agent;
      policy.overrides.push(override);
    }
  });
  // Every detector config each (tenant, agent) named in the file will resolve to, checked as folded.
  resolveLayers(policy, '\u0000no-tenant', '', problems);
  for (const o of policy.overrides) resolveLayers(policy, o.tenant, o.agent ?? '\u0000any-agent', problems, o);
  return policy;
}
