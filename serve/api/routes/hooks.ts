/**
 * `POST /api/v1/hooks/:agent` (role ingest): an agent's own hook payload in, the agent's own
 * answer out — for Claude Code's HTTP hooks (`"type": "http"`, the payload as the body, the JSON
 * answer read from the body) and for the command clients (`warden hook <agent>`, the shell
 * client), which print the body and exit with the `warden-hook-exit` header's code (a non-zero
 * code means the body is for stderr). The event is recorded; an intended action at a gated event
 * is decided by the gate first (`warden-decision`, `warden-decision-id` headers; the time the
 * decision took inside Warden, and the record's receipt by the transport, in `server-timing:
 * gate;dur=<ms>, receipt;dur=<ms>`).
 *
 * Every answer is 200 in the agent's format, because a hook that gets an HTTP error lets the
 * call through (Claude Code's HTTP hooks) or the client must guess: a payload Warden cannot
 * read, or an event it cannot record (queue full, transport down), is answered with the caller's
 * fail mode (`?fail=closed`, the default, blocks and says why; `?fail=open` lets it through and
 * says so). `?ask=defer` answers Claude Code's `ask` as `defer` (headless `claude -p`). A payload
 * sent to the claude-code hook by Copilot or Cursor (which run Claude Code's hooks) is read,
 * recorded and answered as theirs (`harness/hooks/claude-settings-guests.ts`).
 *
 * Distributed mode (`router` given): a gated event is decided by the instance that owns its
 * session (`respond/gate/owner-routing.ts`) — forwarded there and its answer relayed; when no
 * owner can be found in time, answered with the caller's fail mode, saying so.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { HOOK_ADAPTERS } from '../../../harness/hooks/adapters.js';
import { parseHookJson, type HookInput } from '../../../harness/hooks/hook-event.js';
import { passAnswer, readHookInput, type HookAdapter, type HookResult } from '../../../harness/hooks/run-hook.js';
import { adapterForPayload } from '../../../harness/hooks/claude-settings-guests.js';
import { DEFAULT_TENANT } from '../../../model/tenant.js';
import { errorCode } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { ApiError } from '../../../lib/errors.js';
import { takeHookEvent, type IntakeDeps } from '../../../respond/gate/intake.js';
import { forAgent } from '../../../respond/gate/decide-intent.js';
import type { GateRouter } from '../../../respond/gate/owner-routing.js';
import type { OwnerAnswer } from '../../../respond/gate/forward-gate-call.js';
import { gateCallOf } from './gate-call.js';

export interface HookRouteOptions extends IntakeDeps {
  logger: Logger;
  /** Distributed mode: routes gated calls to the session's owner. */
  router?: GateRouter;
}

/** The owner's answer, as it gave it. */
export function relayAnswer(reply: FastifyReply, answer: OwnerAnswer): string {
  reply.code(answer.status).headers(answer.headers);
  return answer.body;
}

const HookParams = Type.Object({ agent: Type.String({ minLength: 1, maxLength: 64 }) });
const HookQuery = Type.Object({
  fail: Type.Optional(Type.Union([Type.Literal('closed'), Type.Literal('open')], { description: 'what to answer when Warden cannot read or record the event' })),
  ask: Type.Optional(Type.Union([Type.Literal('ask'), Type.Literal('defer')], { description: 'Claude Code: answer ask as defer (headless sessions)' })),
  event: Type.Optional(Type.String({ pattern: '^[A-Za-z_]{1,64}$', description: "the hook's event, for payloads that name none (Copilot's camelCase hooks)" })),
});

function send(reply: FastifyReply, result: HookResult, decision?: { decision: string; decision_id: string; latency_ms: number }, receiptMs?: number): string {
  reply.header('warden-hook-exit', String(result.exitCode));
  if (decision) {
    reply.header('warden-decision', decision.decision).header('warden-decision-id', decision.decision_id);
    reply.header('server-timing', `gate;dur=${decision.latency_ms.toFixed(3)}${receiptMs === undefined ? '' : `, receipt;dur=${receiptMs.toFixed(3)}`}`);
  }
  const body = result.exitCode === 0 ? result.stdout : result.stderr;
  reply.type(body.trimStart().startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8');
  return body;
}

/** What the agent is told when Warden cannot read or record the event. */
function cannot(adapter: HookAdapter, input: HookInput | null, fail: 'closed' | 'open', problem: string): HookResult {
  const gated = input === null || adapter.gatedEvents.has(input.hook_event_name);
  if (!gated) return passAnswer(adapter, input);
  if (fail === 'open') {
    const warning = `Warden ${problem}; the tool call was let through (fail=open).`;
    if (adapter.letThrough) return adapter.letThrough(warning, input);
    return { exitCode: 0, stdout: `${JSON.stringify({ systemMessage: warning })}\n`, stderr: '' };
  }
  const reason = `Warden ${problem}; tool calls are blocked until it can (fail=closed).`;
  if (input === null && adapter.unreadable) return adapter.unreadable(reason);
  if (input === null) return { exitCode: 0, stdout: `${JSON.stringify({ decision: 'block', reason })}\n`, stderr: '' };
  return adapter.deny(reason, input);
}

/** The hook payload: a body the JSON parser left as text is read once more without a byte order mark (Cursor's stdin starts with one). */
function payloadOf(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return parseHookJson(body);
  } catch {
    return body;
  }
}

export function registerHookRoutes(app: FastifyInstance, options: HookRouteOptions): void {
  app.post<{ Params: Static<typeof HookParams>; Querystring: Static<typeof HookQuery> }>(
    '/api/v1/hooks/:agent',
    { config: { role: 'ingest' }, schema: { params: HookParams, querystring: HookQuery } },
    async (request, reply) => {
      const named = HOOK_ADAPTERS[request.params.agent];
      if (named === undefined) throw new ApiError('UNKNOWN_AGENT', `no hook adapter for ${JSON.stringify(request.params.agent)}; known: ${Object.keys(HOOK_ADAPTERS).join(', ')}`);
      // Copilot and Cursor also run the hooks configured for Claude Code: read and answer as the agent that sent it.
      const body = payloadOf(request.body);
      const adapter = adapterForPayload(named, body);
      const fail = request.query.fail ?? 'closed';
      let input: HookInput;
      try {
        input = readHookInput(adapter, body, request.query.event);
      } catch (err) {
        return send(reply, cannot(adapter, null, fail, `could not read this hook payload (${(err as Error).message})`));
      }
      const tenant = request.principal?.tenant ?? DEFAULT_TENANT;
      const gated = adapter.gatedEvents.has(input.hook_event_name);
      let local: { stillOwner(): boolean; moved(): void } | undefined;
      if (gated && options.router) {
        const routed = await options.router.dispatch(gateCallOf(request, input.session_id));
        if (routed.kind === 'relay') return relayAnswer(reply, routed.answer);
        if (routed.kind === 'misdirected') throw new ApiError('GATE_NOT_OWNER', routed.why);
        if (routed.kind === 'fail') return send(reply, cannot(adapter, input, fail, routed.problem));
        local = routed;
      }
      let taken;
      try {
        taken = await takeHookEvent(options, { input, agent: adapter.agent, tenant, gated, canAsk: adapter.canAskAt?.(input) ?? adapter.canAsk });
      } catch (err) {
        options.logger.warn({ code: errorCode(err), agent: adapter.agent }, 'hook event could not be recorded');
        return send(reply, cannot(adapter, input, fail, `could not record this tool call (${errorCode(err)})`));
      }
      const { decision } = taken;
      if (decision === null) {
        if (gated && taken.event === null) return send(reply, cannot(adapter, input, fail, 'could not read this tool call'));
        return send(reply, passAnswer(adapter, input));
      }
      if (local && decision.decision !== 'deny' && !local.stillOwner()) {
        local.moved();
        return send(reply, cannot(adapter, input, fail, 'could not finish deciding: ownership of this session moved to another instance meanwhile'));
      }
      const remedy = decision.remedy.replaceAll('<decision id>', decision.decision_id);
      const answer = adapter.answer({ decision: decision.decision, ...forAgent(decision.reason, remedy, decision.instead), askAs: request.query.ask ?? 'ask' }, input);
      return send(reply, answer, decision, taken.receiptMs);
    },
  );
}
