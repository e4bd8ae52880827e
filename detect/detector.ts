/**
 * The detector contract. A detector is a small folder: `config.ts` (typed config, defaults,
 * validation reporting every problem), the detector, a README, and `testdata/` with cases that
 * must fire and cases that must stay silent. It sees one session's events in order, keeps its
 * own bounded state in the session's slot, reads time only from the injected clock, never
 * waits on I/O (synchronous), and returns zero or more finding drafts.
 */
import type { AuditEvent } from '../model/audit-event.js';
import type { Clock } from '../lib/clock.js';
import type { DetectorName, FindingDraft } from '../model/finding.js';
import type { SessionState } from './session/session-state.js';

export interface DetectorContext<C> {
  session: SessionState;
  /** This detector's config, resolved for the session's tenant and agent. */
  config: C;
  clock: Clock;
  /** The detector's per-session state, created by `init` on first use. */
  slot<S>(init: () => S): S;
}

export interface Detector<C> {
  readonly name: DetectorName;
  observe(event: AuditEvent, ctx: DetectorContext<C>): FindingDraft[];
}

export interface ConfigCheck<C> {
  config: C;
  /** Every problem found, each naming its field; empty when valid. */
  problems: string[];
}

/** How the policy loader and the engine know a detector: its name, defaults and validation. */
export interface DetectorFactory<C> {
  readonly name: DetectorName;
  readonly defaults: C;
  /** Validates a (partial) raw config merged over the defaults. */
  validate(raw: unknown, base: C): ConfigCheck<C>;
  create(): Detector<C>;
}
