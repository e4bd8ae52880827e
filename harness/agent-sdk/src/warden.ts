/**
 * `createWarden(options)`: one agent session connected to Warden.
 *
 * - On creation the session's declaration (goal, scope, environment) is sent once as telemetry
 *   (the audit record, also for a session that never gates). Telemetry is processed
 *   asynchronously, so the declaration also rides on gate calls: Warden applies it to the
 *   session's state before it decides the call and says so (`declared: true`); from then on the
 *   calls go without it. `gate()` does not wait for the telemetry's delivery.
 * - `gate(intent)` asks `POST /api/v1/gate` before a tool call runs and answers allow, ask or deny
 *   with Warden's reason; Warden records the intent as the session's receipt. A call without a
 *   tool-call id gets one (returned), so `executed()` names the same call.
 * - When Warden cannot answer (unreachable, timeout, busy, token refused) the `failMode` answers:
 *   `closed` (default) denies, `open` allows — either way saying so. An intent Warden refused as
 *   invalid is denied whatever the fail mode (an unreadable receipt is no receipt).
 * - `executed(result)` reports what ran as an `execute_tool` span (records.ts) through the
 *   telemetry sink (OTLP/HTTP, or Kafka keyed by session). What cannot be delivered for now
 *   (unreachable, busy) is kept (up to `maxPending`, oldest dropped and counted beyond) and sent
 *   first with the next record, by `flush()` or at `close()`; what Warden refuses as it is
 *   (invalid, token refused) is dropped and counted. `stats()` counts both and `onError` hears of
 *   every failure.
 * - With `onRevoked`, a watcher polls the session's verdict and calls it once when the session is
 *   revoked (revocation-watcher.ts); a gate answer that says so (`revoked: true`; from a Warden
 *   that predates the field, a deny whose reason says so) calls it at once and sets `revoked`.
 *   `close()` stops the watcher and flushes.
 */
import { randomUUID } from 'node:crypto';
import { WardenError } from './errors.js';
import { requestJson, type HttpTarget } from './http.js';
import { type Batch, type LogRecord, type SpanRecord, logsRequest, tracesRequest } from './otlp-json.js';
import { HARNESS_SCOPE, type GateDeclaration, type SessionContext, type ToolCall, declarationProblem, declarationRecord, executionSpan, gateDeclaration, hexId, resourceOf } from './records.js';
import { REVOKED_PREFIX, RevocationWatcher } from './revocation-watcher.js';
import { httpSink, kafkaSink, type KafkaSinkOptions, type Signal, type TelemetrySink } from './sink.js';

export type FailMode = 'closed' | 'open';
export type Decision = 'allow' | 'ask' | 'deny';

export interface WardenOptions {
  /** Warden's base URL, e.g. http://127.0.0.1:4318 */
  url: string;
  /** A token with the `ingest` role (needed unless Warden is bound to loopback). */
  token?: string | undefined;
  session: SessionContext;
  /** What `gate()` answers when Warden cannot: `closed` (default) denies, `open` allows. */
  failMode?: FailMode;
  /** Whether a person can be asked (`ask` answers); false turns Warden's ask into deny. Default true. */
  canAsk?: boolean;
  /** Per gate request; default 5000 (Warden in distributed mode may wait up to 5 s for a session's owner). */
  gateTimeoutMs?: number;
  /** Executions and the declaration go to Kafka instead of OTLP/HTTP. */
  kafka?: KafkaSinkOptions;
  /** Called once when the session is revoked; starts the revocation watcher. */
  onRevoked?: (reason: string) => void;
  /** Revocation polling: interval (default 2000 ms) and the longest backoff (default 30000 ms). */
  revocation?: { intervalMs?: number; maxIntervalMs?: number };
  /** Output kept per execution, in characters; default 2000, 0 sends none. */
  maxOutputChars?: number;
  /** Undelivered records kept for a retry; default 1000. */
  maxPending?: number;
  /** Told of every failure: gate calls answered by the fail mode, undelivered telemetry, failed polls. */
  onError?: (error: WardenError) => void;
}

export interface Intent {
  tool: string;
  command?: string;
  arguments?: Record<string, unknown>;
  /** The agent's id for this tool call; generated when absent. */
  toolCallId?: string;
  cwd?: string;
}

export interface GateAnswer {
  decision: Decision;
  reason: string;
  /** Warden's id for this decision ('' when the fail mode answered); operators allow a denied call once by it. */
  decisionId: string;
  toolCallId: string;
  /** The detector that decided, `fail_mode` when Warden could not be asked. */
  detector: string;
  severity: string;
  remedy: string;
  /** Whether the session is revoked once this call was decided (a deny that revoked it, or revoked before); false when the fail mode answered. */
  revoked: boolean;
  /** Set when the fail mode (or a refused intent) answered instead of Warden's detectors. */
  error?: WardenError;
}

export interface ExecutedResult {
  toolCallId: string;
  exitCode?: number;
  output?: string;
  /** The error's text when the call failed. */
  error?: string;
  durationMs: number;
  /** Needed only for a call that did not go through `gate()` (else taken from its intent). */
  tool?: string;
  command?: string;
  arguments?: Record<string, unknown>;
  cwd?: string;
}

export interface WardenStats {
  gated: number;
  /** Gate calls answered by the fail mode. */
  failModeAnswers: number;
  delivered: number;
  pending: number;
  dropped: number;
}

export interface Warden {
  readonly sessionId: string;
  /**
   * The revocation reason once the session is known revoked (a gate answer, or the watcher), else
   * null; it starts "Warden revoked this session" (for a deny that revoked it: "… with this call: <the deny's reason>").
   */
  readonly revoked: string | null;
  /** Resolves true once the telemetry declaration is delivered (false if it is still pending). */
  declared(): Promise<boolean>;
  gate(intent: Intent): Promise<GateAnswer>;
  executed(result: ExecutedResult): Promise<{ delivered: boolean }>;
  /** Tries to deliver what is pending; resolves to what is still undelivered. */
  flush(): Promise<{ undelivered: number }>;
  stats(): WardenStats;
  /** Stops the watcher and flushes; gate() then denies. */
  close(): Promise<{ undelivered: number }>;
}

interface Pending {
  signal: Signal;
  request: object;
}

const MAX_REMEMBERED_CALLS = 10_000;

interface GateWireAnswer {
  decision?: unknown;
  reason?: unknown;
  decision_id?: unknown;
  detector?: unknown;
  severity?: unknown;
  remedy?: unknown;
  revoked?: unknown;
  declared?: unknown;
}

export function createWarden(options: WardenOptions): Warden {
  if (!options.url) throw new TypeError('createWarden needs `url`, Warden\'s base URL');
  if (!options.session?.agent) throw new TypeError('createWarden needs `session.agent`, the agent\'s name');
  const problem = declarationProblem(options.session);
  if (problem) throw new TypeError(`createWarden: ${problem} (Warden's gate refuses such a declaration)`);
  return new WardenClient(options);
}

class WardenClient implements Warden {
  readonly sessionId: string;
  private readonly session: SessionContext & { id: string };
  private readonly target: HttpTarget;
  private readonly sink: TelemetrySink;
  private readonly failMode: FailMode;
  private readonly traceId = hexId(16);
  private readonly calls = new Map<string, ToolCall>();
  private readonly pending: Pending[] = [];
  private readonly watcher: RevocationWatcher | undefined;
  private readonly declaration: Promise<boolean>;
  /** The declaration gate calls carry until Warden has applied one; then undefined. */
  private gateDeclaration: GateDeclaration | undefined;
  private draining: Promise<void> = Promise.resolve();
  private revokedReason: string | null = null;
  private closed = false;
  private counts = { gated: 0, failModeAnswers: 0, delivered: 0, dropped: 0 };

  constructor(private readonly options: WardenOptions) {
    this.sessionId = options.session.id ?? randomUUID();
    this.session = { ...options.session, id: this.sessionId };
    this.failMode = options.failMode ?? 'closed';
    if (this.failMode !== 'closed' && this.failMode !== 'open') throw new TypeError(`failMode must be 'closed' or 'open', not ${String(this.failMode)}`);
    this.target = { url: options.url, token: options.token, timeoutMs: options.gateTimeoutMs ?? 5000 };
    this.sink = options.kafka ? kafkaSink(options.kafka) : httpSink({ url: options.url, token: options.token });
    const onRevoked = options.onRevoked;
    if (onRevoked) {
      this.watcher = new RevocationWatcher({
        target: { ...this.target, timeoutMs: Math.min(this.target.timeoutMs, 5000) },
        sessionId: this.sessionId,
        onRevoked: (reason) => {
          this.revokedReason = reason;
          onRevoked(reason);
        },
        ...(options.revocation?.intervalMs !== undefined ? { intervalMs: options.revocation.intervalMs } : {}),
        ...(options.revocation?.maxIntervalMs !== undefined ? { maxIntervalMs: options.revocation.maxIntervalMs } : {}),
        onError: (err) => this.report(err instanceof WardenError ? err : new WardenError('CALLBACK_FAILED', err.message, { cause: err })),
      });
    }
    const declaredAt = Date.now();
    const batch: Batch<LogRecord> = { resource: resourceOf(this.session), scope: HARNESS_SCOPE, records: [declarationRecord(this.session, declaredAt)] };
    this.gateDeclaration = gateDeclaration(this.session, declaredAt);
    const declared = { signal: 'logs' as const, request: logsRequest([batch]) };
    this.declaration = this.deliver(declared);
    this.watcher?.start();
  }

  get revoked(): string | null {
    return this.revokedReason;
  }

  declared(): Promise<boolean> {
    return this.declaration;
  }

  async gate(intent: Intent): Promise<GateAnswer> {
    const toolCallId = intent.toolCallId || `call_${randomUUID()}`;
    const call: ToolCall = { tool: intent.tool, toolCallId, command: intent.command, arguments: intent.arguments, cwd: intent.cwd };
    this.remember(call);
    this.counts.gated++;
    if (this.closed) return this.cannotAsk(toolCallId, new WardenError('CLOSED', 'this Warden client is closed'));
    // Every call carries the declaration until an answer says Warden applied it (`declared`), not
    // only the first: a first call that timed out or met a Warden that could not decide
    // (unreachable, no owner in distributed mode) applied nothing, and the next call must not be
    // decided without it. Applying it again is harmless: it is the same record (the telemetry
    // declaration's time), stored once. Calls in flight together may all carry it.
    const declaration = this.gateDeclaration;
    const body = {
      session_id: this.sessionId,
      tool: intent.tool,
      tool_call_id: toolCallId,
      agent: this.session.agent,
      can_ask: this.options.canAsk ?? true,
      ...(intent.command !== undefined ? { command: intent.command } : {}),
      ...(intent.arguments !== undefined ? { arguments: intent.arguments } : {}),
      ...(intent.cwd ? { cwd: intent.cwd } : {}),
      ...(declaration ? { declaration } : {}),
    };
    let answer: GateWireAnswer;
    try {
      answer = (await requestJson(this.target, 'POST', '/api/v1/gate', body)) as GateWireAnswer;
    } catch (err) {
      const error = err instanceof WardenError ? err : new WardenError('WARDEN_BAD_ANSWER', String(err), { cause: err });
      return this.cannotAsk(toolCallId, error);
    }
    const decision = answer.decision;
    if (decision !== 'allow' && decision !== 'ask' && decision !== 'deny') {
      return this.cannotAsk(toolCallId, new WardenError('WARDEN_BAD_ANSWER', `Warden's gate answered an unknown decision: ${JSON.stringify(decision)}`));
    }
    if (answer.declared === true && this.gateDeclaration === declaration) this.gateDeclaration = undefined;
    const reason = typeof answer.reason === 'string' ? answer.reason : '';
    // A Warden without the `revoked` field: a deny of an already revoked session says so in its reason.
    const revoked = typeof answer.revoked === 'boolean' ? answer.revoked : decision === 'deny' && reason.startsWith(REVOKED_PREFIX);
    // The revocation's reason starts as the watcher's do; a deny that revoked gives its own reason after it.
    if (revoked) this.learnRevoked(reason.startsWith(REVOKED_PREFIX) ? reason : `${REVOKED_PREFIX} with this call: ${reason}`);
    return {
      decision,
      reason,
      decisionId: typeof answer.decision_id === 'string' ? answer.decision_id : '',
      toolCallId,
      detector: typeof answer.detector === 'string' ? answer.detector : '',
      severity: typeof answer.severity === 'string' ? answer.severity : '',
      remedy: typeof answer.remedy === 'string' ? answer.remedy : '',
      revoked,
    };
  }

  async executed(result: ExecutedResult): Promise<{ delivered: boolean }> {
    const known = this.calls.get(result.toolCallId);
    this.calls.delete(result.toolCallId);
    const tool = known?.tool ?? result.tool;
    if (!tool) throw new TypeError(`executed(): tool call ${result.toolCallId} did not go through gate() here; give its \`tool\``);
    const call: ToolCall = {
      tool,
      toolCallId: result.toolCallId,
      command: result.command ?? known?.command,
      arguments: result.arguments ?? known?.arguments,
      cwd: result.cwd ?? known?.cwd,
    };
    const span = executionSpan(this.sessionId, this.traceId, call, result, Date.now(), this.options.maxOutputChars ?? 2000);
    const batch: Batch<SpanRecord> = { resource: resourceOf(this.session), scope: HARNESS_SCOPE, records: [span] };
    return { delivered: await this.deliver({ signal: 'traces', request: tracesRequest([batch]) }) };
  }

  async flush(): Promise<{ undelivered: number }> {
    await this.drain();
    return { undelivered: this.pending.length };
  }

  stats(): WardenStats {
    return { ...this.counts, pending: this.pending.length };
  }

  async close(): Promise<{ undelivered: number }> {
    this.closed = true;
    this.watcher?.stop();
    return this.flush();
  }

  private learnRevoked(reason: string): void {
    this.revokedReason ??= reason;
    this.watcher?.revokedBy(reason);
  }

  private cannotAsk(toolCallId: string, error: WardenError): GateAnswer {
    this.report(error);
    const base = { decisionId: '', toolCallId, severity: '', revoked: false, error };
    if (error.code === 'WARDEN_REJECTED') {
      return { ...base, decision: 'deny', detector: 'rejected', reason: `Warden refused to read this intended action, so it is not allowed: ${error.message}`, remedy: 'fix the intent the harness sends' };
    }
    this.counts.failModeAnswers++;
    if (this.failMode === 'open') {
      return { ...base, decision: 'allow', detector: 'fail_mode', reason: `Warden could not decide this call (${error.message}); allowed because the harness's failMode is 'open' — this call is not audited by Warden.`, remedy: '' };
    }
    return {
      ...base,
      decision: 'deny',
      detector: 'fail_mode',
      reason: `Warden could not decide this call (${error.message}); denied because the harness's failMode is 'closed': no receipt, no action.`,
      remedy: error.retryable ? 'retry when Warden is reachable' : 'check the Warden URL and token',
    };
  }

  private remember(call: ToolCall): void {
    if (this.calls.size >= MAX_REMEMBERED_CALLS) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
    this.calls.set(call.toolCallId, call);
  }

  private report(error: WardenError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // the caller's handler failing must not break the agent loop
    }
  }

  /** Queues one export and drains the queue in order; true when this one was delivered. */
  private async deliver(item: Pending): Promise<boolean> {
    const max = Math.max(1, this.options.maxPending ?? 1000);
    while (this.pending.length >= max) {
      this.pending.shift();
      this.counts.dropped++;
      this.report(new WardenError('WARDEN_UNAVAILABLE', `an undelivered record was dropped: more than ${max} are waiting for Warden`));
    }
    this.pending.push(item);
    await this.drain();
    return !this.pending.includes(item);
  }

  /** One drain at a time, oldest first; stops at the first failure (the rest wait for the next). */
  private drain(): Promise<void> {
    const run = this.draining.then(async () => {
      while (this.pending.length > 0) {
        const head = this.pending[0]!;
        try {
          await this.sink.send(head.signal, head.request, this.sessionId);
        } catch (err) {
          const error = err instanceof WardenError ? err : new WardenError('WARDEN_BAD_ANSWER', String(err), { cause: err });
          this.report(error);
          if (error.retryable) return;
          // Refused as it is (invalid, or the token lacks the role): sending it again cannot help.
          if (this.pending[0] === head) this.pending.shift();
          this.counts.dropped++;
          continue;
        }
        if (this.pending[0] === head) this.pending.shift();
        this.counts.delivered++;
      }
    });
    this.draining = run;
    return run;
  }
}
