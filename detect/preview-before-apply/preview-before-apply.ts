/**
 * The preview-before-apply detector. An apply-like command (terraform apply/destroy, kubectl
 * apply/delete, helm upgrade, a database migration) should follow a preview of the same change
 * earlier in the session: a plan in the same directory and workspace, a dry run or diff of the
 * same resources, a status or SQL preview of the same project. Previews are remembered per
 * session by match key for `preview_valid_ms`; an apply without one reports once per key (until a
 * preview for it is seen), at the severity of the environment it targets.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Detector, DetectorContext } from '../detector.js';
import type { FindingDraft } from '../../model/finding.js';
import { actionText, isLiveAction } from '../common/actions.js';
import { BoundedMap, BoundedSet } from '../../lib/bounded.js';
import { firstSight } from '../session/action-keys.js';
import type { PreviewConfig } from './config.js';
import { environmentSeverity } from './environment-severity.js';
import { matchKey, matchParts } from './match-key.js';
import { hasPreviewFlag, readInvocations, verbOf, type Invocation } from './read-invocations.js';

const MAX_KEYS = 500;

interface PreviewSlot {
  /** Match key → when the preview ran. */
  previews: BoundedMap<string, number>;
  /** Match keys already reported since their last preview. */
  reported: BoundedMap<string, true>;
  counted: BoundedSet<string>;
  /** Directory → selected terraform workspace. */
  workspaces: BoundedMap<string, string>;
}

type Kind = { kind: 'apply' | 'preview' | 'workspace'; verb: string[] };

function kindOf(inv: Invocation): Kind | undefined {
  const ws = verbOf(inv, inv.spec.workspace_select);
  if (ws) return { kind: 'workspace', verb: ws };
  const preview = verbOf(inv, inv.spec.preview);
  if (preview) return { kind: 'preview', verb: preview };
  const apply = verbOf(inv, inv.spec.apply);
  if (!apply) return undefined;
  const savedPlan = inv.spec.saved_plan_is_preview === true && inv.positionals.length > apply.length;
  return { kind: hasPreviewFlag(inv) || savedPlan ? 'preview' : 'apply', verb: apply };
}

export class PreviewBeforeApplyDetector implements Detector<PreviewConfig> {
  readonly name = 'preview_before_apply' as const;

  observe(event: AuditEvent, ctx: DetectorContext<PreviewConfig>): FindingDraft[] {
    const { config, session } = ctx;
    if (event.command === '') return [];
    const invocations = readInvocations(event.command, event.cwd, config);
    if (invocations.length === 0) return [];
    const now = ctx.clock.now();
    const slot = ctx.slot<PreviewSlot>(() => ({
      previews: new BoundedMap(MAX_KEYS),
      reported: new BoundedMap(MAX_KEYS),
      counted: new BoundedSet(MAX_KEYS),
      workspaces: new BoundedMap(MAX_KEYS),
    }));
    const succeeded = event.phase === 'execution' ? event.status !== 'error' : true;
    const workspaceOf = (dir: string): string => slot.workspaces.get(dir) ?? 'default';
    const drafts: FindingDraft[] = [];
    const checkApplies = isLiveAction(event) && config.apply_phases.includes(event.phase) && firstSight(slot.counted, event);

    for (const inv of invocations) {
      const k = kindOf(inv);
      if (!k) continue;
      if (k.kind === 'workspace') {
        const name = inv.positionals[k.verb.length];
        if (name && succeeded && event.phase === 'execution') slot.workspaces.set(inv.dir, name);
        continue;
      }
      const parts = matchParts(inv, k.verb, workspaceOf);
      const key = matchKey(inv, parts);
      if (k.kind === 'preview') {
        if (succeeded && config.preview_phases.includes(event.phase)) {
          slot.previews.set(key, now);
          slot.reported.delete(key);
        }
        continue;
      }
      if (!checkApplies) continue;
      const seen = slot.previews.get(key);
      if (seen !== undefined && now - seen <= config.preview_valid_ms) continue;
      if (slot.reported.has(key)) continue;
      slot.reported.set(key, true);
      const hints = [...event.targets, parts.namespace, parts.context, parts.workspace, parts.release, parts.dir].filter((h) => h !== '');
      const env = environmentSeverity(event.environment || session.environment, hints, config);
      const where = inv.spec.match_on.map((p) => `${p} ${parts[p] || '(default)'}`).join(', ');
      drafts.push({
        severity: env.severity,
        score: seen === undefined ? 0.9 : 0.7,
        title: `${inv.tool} ${k.verb.join(' ')} without a preview (${env.name}): ${actionText(event)}`,
        explanation:
          `\`${inv.tool} ${k.verb.join(' ')}\` ran on ${where} with ${seen === undefined ? 'no preview earlier in this session' : `a preview older than ${config.preview_valid_ms / 60_000} min`}; ` +
          `expected ${inv.spec.hint} first. Environment ${env.name} (from ${env.from}) sets the severity to ${env.severity}.`,
        evidence: [event.event_id],
      });
    }
    return drafts;
  }
}
