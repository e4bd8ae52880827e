/**
 * TypeBox schemas shared by the operator API's routes: path parameters, list limits, and the
 * shapes of a session and a revocation as the API returns them. The session's schemas are checked
 * against the types they describe (model/session.ts, session-view.ts) when the code is compiled,
 * so a field renamed or retyped on one side and not the other fails the typecheck.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { RevocationInfo, SessionStatus } from '../../../model/session.js';
import type { SessionView } from './session-view.js';

export const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 512 }) });

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
export const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT }));
export const Since = Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'RFC 3339 time or a duration: 15m, 24h, 7d' }));

export const SessionStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('revoked')]);

export const RevocationInfoSchema = Type.Object({
  at: Type.String(),
  by: Type.String(),
  reason: Type.String(),
  finding_id: Type.Union([Type.String(), Type.Null()]),
});

export const SessionViewSchema = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  agent: Type.String(),
  user: Type.String(),
  environment: Type.String(),
  state: SessionStatusSchema,
  goal: Type.String(),
  scope: Type.Object({ allow: Type.Array(Type.String()), deny: Type.Array(Type.String()) }),
  revoked: Type.Union([RevocationInfoSchema, Type.Null()]),
  counts: Type.Object({ events: Type.Integer(), intents: Type.Integer(), executions: Type.Integer(), destructive: Type.Integer() }),
  first_seen: Type.String(),
  last_seen: Type.String(),
  live: Type.Boolean(),
});

/** Compiles only when A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** The session's wire schemas describe exactly the types the code builds (a drift fails the typecheck). */
export type SessionSchemasMatch = Holds<
  Same<[Static<typeof SessionStatusSchema>, Static<typeof RevocationInfoSchema>, Static<typeof SessionViewSchema>], [SessionStatus, RevocationInfo, SessionView]>
>;

export const RevocationRecordSchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  tenant: Type.String(),
  session_id: Type.String(),
  action: Type.Union([Type.Literal('revoke'), Type.Literal('reinstate')]),
  by: Type.String(),
  reason: Type.String(),
  finding_id: Type.Union([Type.String(), Type.Null()]),
  prev_hash: Type.String(),
  hash: Type.String(),
});
