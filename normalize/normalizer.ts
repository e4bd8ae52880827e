/**
 * The normalize stage: decoded OTLP spans and log records in, AuditEvents out (one per record).
 * For each record: find its mapping rule, read identity and action fields, classify the raw
 * action, then redact every free-text field before the event is returned. Mapping tables are
 * loaded, validated and compiled once, at construction (a bad table fails startup with
 * NORMALIZE_MAPPING_INVALID). A record that cannot be normalized is dropped, counted in
 * `warden_errors_total{stage="normalize"}` and reported to `onRecordError`; a classifier failure
 * only costs the classification (the event is kept, marked `warden.classify_error`).
 */
import type { AuditEvent } from '../model/audit-event.js';
import type { Classifier } from './classify/classification.js';
import type { DecodedRecord } from '../decode/otlp/records.js';
import type { Redactor } from './redact/redaction.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { PermanentError, WardenError, errorCode } from '../lib/errors.js';
import type { Metrics } from '../lib/metrics.js';
import { classifyAction, unclassified, type ActionVerdict } from './classify-action.js';
import { eventIdFor } from './event-id.js';
import { extractFields } from './extract-fields.js';
import { DEFAULT_TENANT, sessionIdReader, tenantOf } from './identity.js';
import { compileMappings } from './mapping-compile.js';
import { loadMappingTables } from './mapping-load.js';
import { outcomeOf } from './outcome.js';
import { RecordView } from './record-view.js';
import { redactEvent } from './redact-event.js';
import { eventTimes, refusalOf } from '../decode/otlp/refusal.js';
import { memoizeRedactor } from './redaction-memo.js';
import { unmappedAttributes } from './unmapped-attributes.js';
import { withoutSessionCounter } from './unattributed.js';

export const STAGE = 'normalize';
export const RECORD_FAILED = 'NORMALIZE_RECORD_FAILED';
export const CLASSIFY_FAILED = 'NORMALIZE_CLASSIFY_FAILED';

export interface NormalizerDeps {
  classifier: Classifier;
  redactor: Redactor;
  metrics?: NormalizeMetrics;
  /** Tenant when neither the resource nor the ingest token names one. Default `default`. */
  defaultTenant?: string;
  /** Directory of mapping tables (`*.yaml`). Default: the built-in `sources/`. */
  mappingsDir?: string;
  /** Source of "now" for records without an observed time. Default: the system clock. */
  clock?: Clock;
  /** Told about each record that was dropped (after it was counted). */
  onRecordError?: (error: WardenError, record: DecodedRecord) => void;
}

/** The counters normalization adds to (a Metrics instance, or a recorder in a worker thread). */
export type NormalizeMetrics = Pick<Metrics, 'received' | 'sent' | 'errors' | 'redactions' | 'withoutSession'>;

export interface NormalizeContext {
  /** Tenant the HTTP receiver decided (the `warden-tenant` header); it beats the resource's `warden.tenant`. */
  tenant?: string;
}

export interface Normalizer {
  normalize(records: DecodedRecord[], ctx?: NormalizeContext): AuditEvent[];
  /** Session id under this normalizer's mapping tables ('' when none). */
  sessionIdOf(record: DecodedRecord): string;
}

export function createNormalizer(deps: NormalizerDeps): Normalizer {
  const { classifier, metrics } = deps;
  const redactor = memoizeRedactor(deps.redactor);
  const clock = deps.clock ?? systemClock;
  const defaultTenant = deps.defaultTenant || DEFAULT_TENANT;
  const mappings = compileMappings(loadMappingTables(deps.mappingsDir));
  const countWithoutSession = metrics ? withoutSessionCounter(metrics.withoutSession) : undefined;

  function normalizeOne(record: DecodedRecord, boundTenant: string | undefined, now: () => string): AuditEvent {
    const view = new RecordView(record);
    const rule = mappings.ruleFor(view);
    const raw = extractFields(view, rule);
    const s = raw.strings;
    const tenant = tenantOf(view, boundTenant, defaultTenant);

    let verdict: ActionVerdict = unclassified(raw.lists.targets);
    let classifyError = '';
    if (rule.kind === 'tool') {
      try {
        const input = { tool: s.tool, command: s.command, arguments: raw.argsObject, cwd: s.cwd, environment: s.environment };
        verdict = classifyAction(classifier, input, raw.lists.targets);
      } catch (err) {
        classifyError = err instanceof WardenError ? err.code : CLASSIFY_FAILED;
        metrics?.errors.inc({ stage: STAGE, code: classifyError });
      }
    }

    const times = eventTimes(record, now);
    const refused = refusalOf(record, times);
    if (refused) throw refused;
    const { time, end, observed } = times;

    const event: AuditEvent = {
      event_id: eventIdFor(record, { tenant, sessionId: s.session_id, toolCallId: s.tool_call_id, phase: raw.phase }),
      tenant,
      session_id: s.session_id,
      agent_id: s.agent_id,
      user_id: s.user_id,
      source: rule.source,
      signal: record.signal,
      name: view.name || s.name,
      trace_id: record.traceId ?? '',
      span_id: record.spanId ?? '',
      parent_span_id: record.signal === 'traces' ? (record.parentSpanId ?? '') : '',
      phase: raw.phase,
      tool: s.tool,
      tool_call_id: s.tool_call_id,
      command: s.command,
      arguments: '',
      cwd: s.cwd,
      targets: verdict.targets,
      action_class: verdict.action_class,
      rule_ids: verdict.rule_ids,
      destructive: verdict.destructive,
      reversible: verdict.reversible,
      severity: verdict.severity,
      environment: s.environment,
      goal: s.goal,
      scope_allow: raw.lists.scope_allow,
      scope_deny: raw.lists.scope_deny,
      decision: s.decision,
      status: outcomeOf(record, { fixed: rule.status, success: raw.success, exitCode: raw.exitCode, errorType: s.error_type }),
      exit_code: raw.exitCode,
      error_type: s.error_type,
      time_ns: time,
      end_time_ns: end,
      observed_ns: observed,
      attributes: {},
      redactions: 0,
    };
    const attributes = unmappedAttributes(view);
    if (classifyError !== '') attributes.push(['warden.classify_error', classifyError]);
    const kinds = redactEvent(event, { args: raw.args, attributes }, redactor);
    if (metrics) for (const kind of kinds) metrics.redactions.inc({ kind });
    // Kept and stored all the same; counted with the attribute that would have named the session.
    if (event.session_id === '') countWithoutSession?.(tenant, rule);
    return event;
  }

  return {
    sessionIdOf: sessionIdReader(mappings),
    normalize(records: DecodedRecord[], ctx: NormalizeContext = {}): AuditEvent[] {
      let nowText: string | undefined;
      const now = (): string => (nowText ??= clock.nowNs().toString());
      const events: AuditEvent[] = [];
      let spans = 0;
      let logs = 0;
      for (const record of records) {
        try {
          events.push(normalizeOne(record, ctx.tenant, now));
          if (record.signal === 'traces') spans++;
          else logs++;
        } catch (err) {
          const error =
            err instanceof WardenError ? err : new PermanentError(RECORD_FAILED, 'record could not be normalized', { cause: err });
          metrics?.errors.inc({ stage: STAGE, code: errorCode(error) });
          deps.onRecordError?.(error, record);
        }
      }
      if (metrics) {
        const receivedSpans = records.reduce((n, r) => n + (r.signal === 'traces' ? 1 : 0), 0);
        if (receivedSpans) metrics.received.inc({ stage: STAGE, signal: 'traces' }, receivedSpans);
        if (records.length - receivedSpans) metrics.received.inc({ stage: STAGE, signal: 'logs' }, records.length - receivedSpans);
        if (spans) metrics.sent.inc({ stage: STAGE, signal: 'traces' }, spans);
        if (logs) metrics.sent.inc({ stage: STAGE, signal: 'logs' }, logs);
      }
      return events;
    },
  };
}
