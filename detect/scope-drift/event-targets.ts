/**
 * An event's targets as scope_drift reads them: each with its absolute spelling (a leading `~`
 * expanded once the session's home is known), its home-relative spelling (`~/…`, which
 * pattern lists use) and its structure; plus an `env://<name>` pseudo-target for a declared
 * environment, so a session that moves from `dev` to `prod` moves away from its working set.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { expandHome, homeRelative } from '../common/home.js';
import { parseTarget, type ParsedTarget } from '../common/targets.js';

export interface EventTarget {
  /** Absolute spelling, shown in findings. */
  shown: string;
  /** Every spelling declared scope patterns are tried against. */
  spellings: string[];
  /** The spelling sensitive-kind lists are tried against: home-relative (`~/…`) when under the
   * session's home, so `/home/*` patterns see other users' homes only. */
  listSpelling: string;
  parsed: ParsedTarget;
  /** True for the `env://` pseudo-target. */
  pseudo: boolean;
}

export function eventTargets(event: AuditEvent, home: string): EventTarget[] {
  const out: EventTarget[] = [];
  const seen = new Set<string>();
  for (const raw of event.targets) {
    const shown = expandHome(raw, home);
    if (seen.has(shown)) continue;
    seen.add(shown);
    const listSpelling = homeRelative(shown, home);
    const spellings = [...new Set([shown, listSpelling, raw])];
    out.push({ shown, spellings, listSpelling, parsed: parseTarget(shown), pseudo: false });
  }
  const env = event.environment.trim().toLowerCase();
  if (env !== '') {
    const shown = `env://${env}`;
    out.push({ shown, spellings: [shown], listSpelling: shown, parsed: parseTarget(shown), pseudo: true });
  }
  return out;
}
