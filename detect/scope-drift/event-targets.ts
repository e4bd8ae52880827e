/**
 * An event's targets as scope_drift reads them: each with its absolute spelling (a leading `~`
 * expanded once the session's home is known), its home-relative spelling (`~/…`, which
 * pattern lists use) and its structure; plus an `env://<name>` pseudo-target for a declared
 * environment, so a session that moves from `dev` to `prod` moves away from its working set.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { expandHome, homeRelative } from '../common/home.js';
import { parseTarget, type ParsedTarget } from '../common/targets.js';
import { BoundedMap } from '../../lib/bounded.js';

export interface EventTarget {
  /** Absolute spelling, shown in findings. */
  readonly shown: string;
  /** Every spelling declared scope patterns are tried against. */
  readonly spellings: readonly string[];
  /** The spelling sensitive-kind lists are tried against: home-relative (`~/…`) when under the
   * session's home, so `/home/*` patterns see other users' homes only. */
  listSpelling: string;
  parsed: ParsedTarget;
  /** True for the `env://` pseudo-target. */
  pseudo: boolean;
}

/**
 * The targets of a session's events repeat (the same files, the same cluster), so each spelling
 * is worked out once per home and target and shared: EventTargets are never changed by their
 * readers. Bounded, least recently used first out.
 */
const KNOWN = new BoundedMap<string, EventTarget>(4_096);

function targetOf(raw: string, home: string): EventTarget {
  const key = `${home}\u0000${raw}`;
  const known = KNOWN.lookup(key);
  if (known !== undefined) return known;
  const shown = expandHome(raw, home);
  const listSpelling = homeRelative(shown, home);
  const spellings = [shown];
  if (listSpelling !== shown) spellings.push(listSpelling);
  if (raw !== shown && raw !== listSpelling) spellings.push(raw);
  const target: EventTarget = { shown, spellings, listSpelling, parsed: parseTarget(shown), pseudo: false };
  KNOWN.set(key, target);
  return target;
}

function environmentTarget(env: string): EventTarget {
  const shown = `env://${env}`;
  const known = KNOWN.lookup(shown);
  if (known !== undefined) return known;
  const target: EventTarget = { shown, spellings: [shown], listSpelling: shown, parsed: parseTarget(shown), pseudo: true };
  KNOWN.set(shown, target);
  return target;
}

export function eventTargets(event: AuditEvent, home: string): EventTarget[] {
  const out: EventTarget[] = [];
  // Two spellings of one target (`~/x` and `/home/me/x`) count once.
  const seen = event.targets.length > 8 ? new Set<string>() : undefined;
  for (const raw of event.targets) {
    const target = targetOf(raw, home);
    if (seen ? seen.has(target.shown) : out.some((t) => t.shown === target.shown)) continue;
    seen?.add(target.shown);
    out.push(target);
  }
  const env = event.environment.trim().toLowerCase();
  if (env !== '') out.push(environmentTarget(env));
  return out;
}
