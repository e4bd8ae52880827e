/**
 * The gate for anything that is not one of the agents with an adapter (a home-grown harness,
 * a script) and the operator's view of what it decided:
 *
 * - `POST /api/v1/gate` (role ingest) `{session_id, tool, command?, arguments?, tool_call_id?,
 *   cwd?, agent?, can_ask?, declaration?}` → `{decision: allow|ask|deny, would_be, reason, remedy,
 *   detector, severity, finding_id, targets, decision_id, event_id, latency_ms, revoked,
 *   declared}`. The intent is recorded as the session's receipt. A caller that cannot ask a
 *   person says so with `can_ask: false`. A `declaration` (`{goal?, environment?, scope_allow?,
 *   scope_deny?, user?, time_unix_nano?}`) is recorded and applied to the session's state before
 *   the intent is decided (respond/gate/declaration.ts); `declared` says it was. `revoked`: the
 *   session is revoked once this call is decided (a deny at the kill switch's `revoke_at`, or a
 *   session revoked before). In distributed mode the call is decided by the session's owner
 *   (forwarded as it came, declaration included; its answer relayed); when no owner can be found
 *   in time the answer is a deny (`detector: gate_routing`, `declared: false`) saying so.
 * - `GET /api/v1/gate/decisions?session=&decision=&since=&limit=` (role read): what the gate
 *   decided, newest first — "what did Warden stop, and why" (`decision=deny`).
 * - `POST /api/v1/gate/decisions/:id/allow {reason}` (role operate): let the next call like the
 *   denied one (same session, tool and command) through once; recorded with who and why. In
 *   distributed mode an instance that did not make the decision finds its session in
 *   `gate_decisions` and forwards the grant to the session's owner.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouseHandle } from '../../../store/index.js';
import { DEFAULT_TENANT } from '../../../model/tenant.js';
import { GateError } from '../../../respond/gate/gate-service.js';
import { ApiError } from '../../../lib/errors.js';
import { takeHookEvent, type IntakeDeps } from '../../../respond/gate/intake.js';
import { applyDeclaration, type SessionStateApplier } from '../../../respond/gate/declaration.js';
import { listDecisions } from '../queries/gate-decisions.js';
import { DEFAULT_LIST_LIMIT, Limit, Since } from '../queries/schemas.js';
import { parseSince } from '../queries/time.js';
import type { GateRouter } from '../../../respond/gate/owner-routing.js';
import { gateCallOf } from './gate-call.js';
import { relayAnswer } from './hooks.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export interface GateRouteOptions extends IntakeDeps {
  storage: ClickHouseHandle;
  /** Distributed mode: routes each call to the session's owner. */
  router?: GateRouter;
  /** The detection engine: applies a declaration to the session's state, and knows its revocation. */
  engine: SessionStateApplier & { readonly registry: { revocationOf(tenant: string, sessionId: string): unknown } };
}

/**
 * The answer when Warden cannot decide (no owner in time, or ownership moved): fail closed.
 * `revoked` is what this instance knows of the session's revocation.
 */
function cannotDecide(b: { session_id: string; tool: string; command?: string | undefined; tool_call_id?: string | undefined }, problem: string, revoked: boolean) {
  return {
    decision: 'deny' as const,
    would_be: 'deny' as const,
    reason: `Warden ${problem}; tool calls are blocked until it can (fail closed).`,
    remedy: 'retry in a moment',
    detector: 'gate_routing',
    severity: 'none',
    finding_id: '',
    finding_ids: [] as string[],
    targets: [] as string[],
    decision_id: '',
    event_id: '',
    session_id: b.session_id,
    tool: b.tool,
    tool_call_id: b.tool_call_id ?? '',
    command: b.command ?? '',
    latency_ms: 0,
    revoked,
    declared: false,
  };
}

const IntentBody = Type.Object({
  session_id: Type.String({ minLength: 1, maxLength: 512 }),
  tool: Type.String({ minLength: 1, maxLength: 512 }),
  command: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  arguments: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  tool_call_id: Type.Optional(Type.String({ maxLength: 512 })),
  cwd: Type.Optional(Type.String({ maxLength: 4096 })),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  can_ask: Type.Optional(Type.Boolean()),
  declaration: Type.Optional(
    Type.Object(
      {
        goal: Type.Optional(Type.String({ maxLength: 10_000 })),
        environment: Type.Optional(Type.String({ maxLength: 200 })),
        scope_allow: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { maxItems: 500 })),
        scope_deny: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { maxItems: 500 })),
        user: Type.Optional(Type.String({ maxLength: 512 })),
        time_unix_nano: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,18}$', description: 'when it was declared, nanoseconds since the epoch (decimal)' })),
      },
      // A field not listed is refused, not dropped (`false` would have it removed): a misspelt `goals` must not pass as nothing declared.
      { additionalProperties: Type.Never(), description: "the session's declaration, applied before this call is decided" },
    ),
  ),
});

const DecisionQuery = Type.Object({
  session: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  decision: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('ask'), Type.Literal('deny')])),
  since: Since,
  limit: Limit,
  tenant: TenantParam,
});

const AllowBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) });
const DecisionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function registerGateRoutes(app: FastifyInstance, options: GateRouteOptions): void {
  app.post<{ Body: Static<typeof IntentBody> }>('/api/v1/gate', { config: { role: 'ingest' }, schema: { body: IntentBody } }, async (request, reply) => {
    const b = request.body;
    const tenant = request.principal?.tenant ?? DEFAULT_TENANT;
    const isRevoked = (sessionId: string): boolean => options.engine.registry.revocationOf(tenant, sessionId) !== null;
    let local: { stillOwner(): boolean; moved(): void } | undefined;
    if (options.router) {
      const routed = await options.router.dispatch(gateCallOf(request, b.session_id));
      if (routed.kind === 'relay') return relayAnswer(reply, routed.answer);
      if (routed.kind === 'misdirected') throw new ApiError('GATE_NOT_OWNER', routed.why);
      if (routed.kind === 'fail') return cannotDecide(b, routed.problem, isRevoked(b.session_id));
      local = routed;
    }
    const agent = b.agent ?? 'harness';
    // The declaration first: applied now, so the intent is decided with it, and stored ahead of it.
    const declared = b.declaration ? applyDeclaration(options, { sessionId: b.session_id, agent, tenant, declaration: b.declaration }) : undefined;
    const toolInput: Record<string, unknown> = { ...(b.arguments ?? {}), ...(b.command !== undefined ? { command: b.command } : {}) };
    const input = {
      session_id: b.session_id,
      hook_event_name: 'PreToolUse',
      tool_name: b.tool,
      tool_input: toolInput,
      tool_use_id: b.tool_call_id ?? '',
      cwd: b.cwd ?? '',
      raw: {},
    };
    const { event, decision } = await takeHookEvent(options, { input, agent, tenant, gated: true, canAsk: b.can_ask ?? true, ...(declared ? { before: [declared] } : {}) });
    if (decision === null) throw new ApiError('GATE_NOT_AN_INTENT', `this call could not be read as an intended action${event ? ` (read as a ${event.phase} event)` : ''}`);
    if (local && decision.decision !== 'deny' && !local.stillOwner()) {
      local.moved();
      return cannotDecide(b, 'could not finish deciding: ownership of this session moved to another instance meanwhile', isRevoked(b.session_id));
    }
    const { tenant: _t, mode: _m, ...rest } = decision;
    return {
      ...rest,
      remedy: decision.remedy.replaceAll('<decision id>', decision.decision_id),
      latency_ms: Math.round(decision.latency_ms * 1000) / 1000,
      // The kill switch marks the session revoked synchronously when a finding reaches revoke_at.
      revoked: isRevoked(b.session_id),
      declared: b.declaration !== undefined,
    };
  });

  app.get<{ Querystring: Static<typeof DecisionQuery> }>('/api/v1/gate/decisions', { config: { role: 'read' }, schema: { querystring: DecisionQuery } }, async (request) => {
    const q = request.query;
    const decisions = await listDecisions(options.storage, {
      tenant: tenantOf(request, q.tenant),
      limit: q.limit ?? DEFAULT_LIST_LIMIT,
      ...(q.session ? { sessionId: q.session } : {}),
      ...(q.decision ? { decision: q.decision } : {}),
      ...(q.since ? { sinceMs: parseSince(q.since, options.clock.now()) } : {}),
    });
    return { decisions };
  });

  app.post<{ Params: Static<typeof DecisionParams>; Body: Static<typeof AllowBody> }>(
    '/api/v1/gate/decisions/:id/allow',
    { config: { role: 'operate' }, schema: { params: DecisionParams, body: AllowBody } },
    async (request, reply) => {
      const tenant = tenantOf(request);
      // Distributed: the decision, and the next call it lets through, live on the session's owner.
      if (options.router && options.gate.decisionOf(tenant, request.params.id) === undefined) {
        const [stored] = await listDecisions(options.storage, { tenant, decisionId: request.params.id, limit: 1 });
        if (stored) {
          const routed = await options.router.dispatch(gateCallOf(request, stored.session_id));
          if (routed.kind === 'relay') return relayAnswer(reply, routed.answer);
          if (routed.kind === 'misdirected') throw new ApiError('GATE_NOT_OWNER', routed.why);
          if (routed.kind === 'fail') throw new ApiError('GATE_OWNER_UNREACHABLE', `Warden ${routed.problem}; nothing was allowed`);
        }
      }
      try {
        const d = await options.gate.grant(tenant, request.params.id, { by: `operator:${request.principal?.name ?? 'unknown'}`, reason: request.body.reason.trim() });
        return { allowed_once: true, decision_id: d.decision_id, session_id: d.session_id, tool: d.tool, command: d.command };
      } catch (err) {
        if (err instanceof GateError) throw new ApiError(err.code, err.message);
        throw err;
      }
    },
  );
}
