/**
 * AuditEvents for storage tests: `makeEvent` fills every field with distinct, checkable values
 * (overridable); `makeBatch` makes a run of events in one session, one microsecond apart,
 * starting at a nanosecond timestamp that a float cannot hold exactly.
 */
import type { AuditEvent } from '../../model/audit-event.js';

/** 2025-11-21T16:00:00.123456789Z: exact only if nanoseconds never pass through a double. */
export const BASE_TIME_NS = 1763740800123456789n;

export function makeEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    event_id: 'evt-0',
    tenant: 'tenant-a',
    session_id: 'sess-1',
    agent_id: 'agent-claude',
    user_id: 'user-7',
    source: 'otel',
    signal: 'traces',
    name: 'execute_tool',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    parent_span_id: '',
    phase: 'execution',
    tool: 'Bash',
    tool_call_id: 'toolu_01',
    command: 'rm -rf ./build',
    arguments: '{"command":"rm -rf ./build"}',
    cwd: '/srv/app',
    targets: ['./build'],
    action_class: 'fs.delete',
    rule_ids: ['fs-recursive-delete'],
    destructive: true,
    reversible: false,
    severity: 'high',
    environment: 'staging',
    goal: 'clean the build output',
    scope_allow: ['/srv/app/**'],
    scope_deny: ['/srv/app/.git/**'],
    decision: '',
    status: 'ok',
    exit_code: null,
    error_type: '',
    time_ns: BASE_TIME_NS.toString(),
    end_time_ns: (BASE_TIME_NS + 1_000_000n).toString(),
    observed_ns: (BASE_TIME_NS + 2_000_001n).toString(),
    attributes: {},
    redactions: 0,
    ...overrides,
  };
}

export interface BatchOptions {
  tenant: string;
  sessionId?: string;
  count: number;
  /** First event number (ids are `${prefix}-${n}`). */
  from?: number;
  prefix?: string;
  /** Nanoseconds between consecutive events; default 1 µs. */
  stepNs?: bigint;
}

export function makeBatch(options: BatchOptions): AuditEvent[] {
  const from = options.from ?? 0;
  const step = options.stepNs ?? 1_000n;
  const prefix = options.prefix ?? 'evt';
  const events: AuditEvent[] = [];
  for (let n = from; n < from + options.count; n++) {
    const time = BASE_TIME_NS + BigInt(n) * step;
    events.push(
      makeEvent({
        event_id: `${prefix}-${n}`,
        tenant: options.tenant,
        session_id: options.sessionId ?? 'sess-1',
        signal: n % 2 === 0 ? 'traces' : 'logs',
        command: `echo ${n}`,
        time_ns: time.toString(),
        end_time_ns: (time + 500n).toString(),
        observed_ns: (time + 900n).toString(),
        attributes: { n: String(n) },
      }),
    );
  }
  return events;
}
