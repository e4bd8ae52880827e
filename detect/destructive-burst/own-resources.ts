/**
 * Resources the session itself made: the targets of its earlier successful, non-destructive
 * changes of an `own_resource_classes` class (`kubectl create namespace e2e-1`, `helm install`).
 * A destructive action whose every target is one of them, or lies beneath one, tears down the
 * session's own work (uninstall the release, delete the namespace it created): its burst weight
 * is scaled by `weights.own`. A target only ever changed deeper down (`kubectl apply -n shared`
 * touches `k8s://…/shared/deployment/x`) does not make its parent the session's own. Bounded.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { BoundedMap } from '../../lib/bounded.js';
import { classMatchesAny } from '../common/class-patterns.js';
import { parseTarget, segmentsWithin, type ParsedTarget } from '../common/targets.js';

const MAX_OWN = 256;

export class OwnResources {
  private readonly made = new BoundedMap<string, ParsedTarget>(MAX_OWN);

  /** Remembers what a successful non-destructive change of an owning class made. */
  note(event: AuditEvent, classes: readonly string[]): void {
    if (event.phase !== 'execution' || event.destructive || event.status === 'error') return;
    if (!classMatchesAny(classes, event.action_class || 'none')) return;
    for (const t of event.targets) if (!t.includes('*')) this.made.set(t, parseTarget(t));
  }

  /** Whether every target of an action is something the session made (or beneath it). */
  owns(event: AuditEvent): boolean {
    if (event.targets.length === 0 || this.made.size === 0) return false;
    return event.targets.every((raw) => {
      const t = parseTarget(raw);
      for (const m of this.made.values()) if (m.kind === t.kind && segmentsWithin(m.segments, t.segments)) return true;
      return false;
    });
  }
}
