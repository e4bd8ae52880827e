/**
 * TypeBox schemas shared by the operator API's routes: path parameters, list limits, and the
 * shapes of a session and a revocation as the API returns them.
 */
import { Type } from '@sinclair/typebox';

export const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 512 }) });

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
export const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT }));
export const Since = Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'RFC 3339 time or a duration: 15m, 24h, 7d' }));

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
  state: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
  goal: Type.String(),
  scope: Type.Object({ allow: Type.Array(Type.String()), deny: Type.Array(Type.String()) }),
  revoked: Type.Union([RevocationInfoSchema, Type.Null()]),
  counts: Type.Object({ events: Type.Integer(), intents: Type.Integer(), executions: Type.Integer(), destructive: Type.Integer() }),
  first_seen: Type.String(),
  last_seen: Type.String(),
  live: Type.Boolean(),
});

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
