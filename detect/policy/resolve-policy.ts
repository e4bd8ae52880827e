/**
 * Folds a policy for one (tenant, agent): the detectors' defaults, then the base layer, then the
 * tenant-wide overrides, then the tenant's overrides for that agent, each group in file order.
 * Detector configs merge (each layer's partial config validated over the result so far); scope
 * `allow` is replaced by the latest layer that sets it while `deny` accumulates (a never-touch
 * list only grows), and a detector whose config has `allow`/`deny` lists receives the scope;
 * kill-switch and gate thresholds and the mode are replaced.
 */
import { isMapping } from '../common/config-fields.js';
import type { Policy, PolicyLayer, PolicyOverride, ResolvedPolicy } from './policy-types.js';

function layersFor(policy: Policy, tenant: string, agentId: string): PolicyLayer[] {
  const tenantWide = policy.overrides.filter((o) => o.tenant === tenant && o.agent === undefined);
  const forAgent = policy.overrides.filter((o) => o.tenant === tenant && o.agent !== undefined && o.agent === agentId);
  return [policy.base, ...tenantWide, ...forAgent];
}

/**
 * Resolves, appending each detector's validation problems (prefixed with the layer's path) to
 * `problems` when given. With `only`, problems are reported for that layer alone (load-time
 * checks walk the overrides one at a time and must not repeat a base problem for each).
 */
export function resolveLayers(policy: Policy, tenant: string, agentId: string, problems?: string[], only?: PolicyOverride): ResolvedPolicy {
  const resolved: ResolvedPolicy = {
    tenant,
    agent_id: agentId,
    mode: policy.base.mode,
    kill_switch: { mode: policy.base.mode, revoke_at: policy.base.kill_switch.revoke_at, detectors: { ...policy.base.kill_switch.detectors } },
    scope: { allow: [...policy.base.scope.allow], deny: [...policy.base.scope.deny] },
    gate: { ...policy.base.gate },
    detectors: [],
  };
  const configs = new Map(policy.factories.map((f) => [f.name, { factory: f, config: f.defaults, enabled: true }]));
  for (const layer of layersFor(policy, tenant, agentId)) {
    const report = problems !== undefined && (only === undefined ? layer === policy.base : layer === only);
    if (layer !== policy.base) {
      if (layer.mode) resolved.mode = layer.mode;
      if (layer.kill_switch?.revoke_at) resolved.kill_switch.revoke_at = layer.kill_switch.revoke_at;
      Object.assign(resolved.kill_switch.detectors, layer.kill_switch?.detectors ?? {});
      Object.assign(resolved.gate, layer.gate ?? {});
      if (layer.scope?.allow) resolved.scope.allow = [...layer.scope.allow];
      for (const d of layer.scope?.deny ?? []) if (!resolved.scope.deny.includes(d)) resolved.scope.deny.push(d);
    }
    for (const [name, d] of Object.entries(layer.detectors)) {
      const entry = configs.get(name as keyof typeof layer.detectors);
      if (!entry || !d) continue;
      if (d.enabled !== undefined) entry.enabled = d.enabled;
      if (Object.keys(d.config).length === 0) continue;
      const check = entry.factory.validate(d.config, entry.config);
      if (report) for (const p of check.problems) problems.push(`${layer.path ? `${layer.path}.` : ''}detectors.${name}.${p}`);
      if (check.problems.length === 0) entry.config = check.config;
    }
  }
  resolved.kill_switch.mode = resolved.mode;
  for (const entry of configs.values()) {
    if (entry.enabled) resolved.detectors.push({ factory: entry.factory, config: withScope(entry.config, resolved.scope) });
  }
  return resolved;
}

/** A detector whose config takes scope (`allow` and `deny` lists) also gets the policy's scope. */
function withScope(config: unknown, scope: ResolvedPolicy['scope']): unknown {
  if (!isMapping(config) || !Array.isArray(config.allow) || !Array.isArray(config.deny)) return config;
  if (scope.allow.length === 0 && scope.deny.length === 0) return config;
  const union = (a: unknown[], b: string[]): unknown[] => [...new Set([...a, ...b])];
  return { ...config, allow: union(config.allow, scope.allow), deny: union(config.deny, scope.deny) };
}

/** The effective policy for one (tenant, agent). Pure; cache the result per session. */
export function resolve(policy: Policy, tenant: string, agentId: string): ResolvedPolicy {
  return resolveLayers(policy, tenant, agentId);
}

