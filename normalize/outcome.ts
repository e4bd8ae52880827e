/**
 * The outcome of a record. Signals, any of which may be present: the rule's own verdict (a
 * failure hook), a success flag (`success` on Claude Code / Codex tool results), the span status
 * (1 ok, 2 error), an exit code (0 ok, anything else error) and an error type (error). Any error
 * signal makes the outcome `error`; otherwise any ok signal makes it `ok`; otherwise `unset`.
 */
import type { Outcome } from '../model/audit-event.js';
import type { DecodedRecord } from '../decode/otlp/records.js';

export interface OutcomeSignals {
  fixed: 'ok' | 'error' | undefined;
  success: boolean | undefined;
  exitCode: number | null;
  errorType: string;
}

const SPAN_STATUS_OK = 1;
const SPAN_STATUS_ERROR = 2;

export function outcomeOf(record: DecodedRecord, s: OutcomeSignals): Outcome {
  const spanCode = record.signal === 'traces' ? record.status?.code : undefined;
  const error =
    s.fixed === 'error' ||
    s.success === false ||
    spanCode === SPAN_STATUS_ERROR ||
    (s.exitCode !== null && s.exitCode !== 0) ||
    s.errorType !== '';
  if (error) return 'error';
  const ok = s.fixed === 'ok' || s.success === true || spanCode === SPAN_STATUS_OK || s.exitCode === 0;
  return ok ? 'ok' : 'unset';
}
