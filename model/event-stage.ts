/**
 * The stage contract, one method: consume a batch, resolve when it is durably handled.
 * The next stage is passed into each stage's constructor; main.ts wires them.
 */
import type { AuditEvent } from './audit-event.js';

export interface EventStage {
  consume(events: AuditEvent[]): Promise<void>;
}
