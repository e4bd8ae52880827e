/**
 * The harness's own telemetry, in the conventions Warden's normalizer maps
 * (its `otel-genai.yaml` table):
 *
 * - the session declaration: a log record named `warden.session.start` carrying `session.id`,
 *   `warden.session.goal`, `warden.scope.allow` / `warden.scope.deny` (string arrays) and
 *   `warden.environment` — read once, before the session's first intent; the same declaration
 *   also rides on gate calls (`gateDeclaration`, with the record's time) until Warden has
 *   applied one, so the gate never decides without it;
 * - an execution: an `execute_tool <tool>` span (`gen_ai.operation.name = execute_tool`,
 *   `warden.action.phase = execution`) with the tool, the tool-call id the gate saw, the arguments
 *   as JSON text (command included), cwd, `process.exit.code`, `error.type` and an error status
 *   when the call failed, timed from `durationMs` before it was reported. Its ids are fixed when
 *   it is built, so a retried export is the same span (Warden stores it once).
 */
import { randomBytes } from 'node:crypto';
import { type Attributes, type LogRecord, type SpanRecord, nanosOfMs } from './otlp-json.js';

export const HARNESS_SCOPE = { name: '@warden/harness', version: '0.1.0' };

export interface SessionContext {
  /** Default: a random UUID. */
  id?: string;
  /** The agent's name (OTel `service.name`, Warden's agent id). */
  agent: string;
  /** What the session was asked to do: goal deviation is judged against it. */
  goal?: string;
  /** Paths and resource patterns the session may touch, and never-touch ones (e.g. `/srv/app/**`, `git://origin/refs/heads/main`). */
  scope?: { allow?: string[]; deny?: string[] };
  /** dev, staging, prod … */
  environment?: string;
  /** Who the agent acts for. */
  user?: string;
}

/** What the harness knows of one tool call. */
export interface ToolCall {
  tool: string;
  toolCallId: string;
  command?: string | undefined;
  arguments?: Record<string, unknown> | undefined;
  cwd?: string | undefined;
}

export interface Execution {
  exitCode?: number | undefined;
  /** Kept as `gen_ai.tool.call.result`, cut to the client's `maxOutputChars`. */
  output?: string | undefined;
  /** Set when the call failed: the error's text. */
  error?: string | undefined;
  durationMs: number;
}

export const hexId = (bytes: number): string => randomBytes(bytes).toString('hex');

export function resourceOf(session: SessionContext): Attributes {
  return {
    'service.name': session.agent,
    'gen_ai.agent.name': session.agent,
    ...(session.user ? { 'user.id': session.user } : {}),
  };
}

/**
 * The declaration as the gate API takes it (`POST /api/v1/gate` `declaration`): the same fields,
 * and the time of the telemetry record, so Warden rebuilds that very record and stores it once.
 */
export interface GateDeclaration {
  goal?: string;
  environment?: string;
  scope_allow?: string[];
  scope_deny?: string[];
  user?: string;
  time_unix_nano: string;
}

/** The gate API's bounds on a declaration; a session beyond them is refused by createWarden (TypeError), not by every gate call. */
export const DECLARATION_LIMITS = { goal: 10_000, environment: 200, user: 512, scopeItems: 500, scopeItemChars: 2048 };

/** What is wrong with the session's declaration for the gate API, or null. */
export function declarationProblem(session: SessionContext): string | null {
  const L = DECLARATION_LIMITS;
  if ((session.goal?.length ?? 0) > L.goal) return `session.goal is longer than ${L.goal} characters`;
  if ((session.environment?.length ?? 0) > L.environment) return `session.environment is longer than ${L.environment} characters`;
  if ((session.user?.length ?? 0) > L.user) return `session.user is longer than ${L.user} characters`;
  for (const side of ['allow', 'deny'] as const) {
    const list = session.scope?.[side];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length > L.scopeItems) return `session.scope.${side} must be an array of at most ${L.scopeItems} patterns`;
    if (list.some((p) => typeof p !== 'string' || p.length === 0 || p.length > L.scopeItemChars)) return `session.scope.${side} holds a pattern that is empty, not text or longer than ${L.scopeItemChars} characters`;
  }
  return null;
}

export function gateDeclaration(session: SessionContext, declaredAtMs: number): GateDeclaration {
  return {
    ...(session.goal ? { goal: session.goal } : {}),
    ...(session.environment ? { environment: session.environment } : {}),
    ...(session.scope?.allow ? { scope_allow: [...session.scope.allow] } : {}),
    ...(session.scope?.deny ? { scope_deny: [...session.scope.deny] } : {}),
    ...(session.user ? { user: session.user } : {}),
    time_unix_nano: nanosOfMs(declaredAtMs),
  };
}

export function declarationRecord(session: SessionContext & { id: string }, nowMs: number): LogRecord {
  const attributes: Attributes = { 'session.id': session.id };
  if (session.goal) attributes['warden.session.goal'] = session.goal;
  if (session.scope?.allow) attributes['warden.scope.allow'] = session.scope.allow;
  if (session.scope?.deny) attributes['warden.scope.deny'] = session.scope.deny;
  if (session.environment) attributes['warden.environment'] = session.environment;
  if (session.user) attributes['user.id'] = session.user;
  const time = nanosOfMs(nowMs);
  return { timeUnixNano: time, observedTimeUnixNano: time, severityNumber: 9, severityText: 'INFO', eventName: 'warden.session.start', attributes };
}

/** The arguments as Warden reads a generic harness's: the command beside the other arguments. */
export function argumentsWithCommand(call: Pick<ToolCall, 'command' | 'arguments'>): Record<string, unknown> {
  return call.command === undefined ? { ...(call.arguments ?? {}) } : { command: call.command, ...(call.arguments ?? {}) };
}

export function executionSpan(sessionId: string, traceId: string, call: ToolCall, result: Execution, nowMs: number, maxOutputChars: number): SpanRecord {
  const failed = result.error !== undefined || (result.exitCode !== undefined && result.exitCode !== 0);
  const attributes: Attributes = {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': call.tool,
    'gen_ai.tool.call.id': call.toolCallId,
    'gen_ai.tool.call.arguments': JSON.stringify(argumentsWithCommand(call)),
    'session.id': sessionId,
    'warden.action.phase': 'execution',
  };
  if (call.command !== undefined) attributes['warden.action.command'] = call.command;
  if (call.cwd) attributes['warden.action.cwd'] = call.cwd;
  if (result.exitCode !== undefined) attributes['process.exit.code'] = result.exitCode;
  if (failed) attributes['error.type'] = result.error !== undefined ? 'ToolError' : 'NonZeroExit';
  if (result.output !== undefined && maxOutputChars > 0) {
    attributes['gen_ai.tool.call.result'] = result.output.length > maxOutputChars ? `${result.output.slice(0, maxOutputChars)}… [${result.output.length - maxOutputChars} more characters]` : result.output;
  }
  const message = result.error ?? (failed ? `exit code ${result.exitCode}` : '');
  return {
    traceId,
    spanId: hexId(8),
    name: `execute_tool ${call.tool}`,
    kind: 1,
    startTimeUnixNano: nanosOfMs(nowMs - Math.max(0, result.durationMs)),
    endTimeUnixNano: nanosOfMs(nowMs),
    attributes,
    status: failed ? { code: 2, message } : { code: 1 },
  };
}
