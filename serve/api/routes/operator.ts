/**
 * The operator API in one registration: sessions (list, one, timeline, blast radius, revoke,
 * reinstate), the hooks' verdict, findings, target search and events stored without a session.
 * The operator API plugin (serve/api/plugins/operator-api.ts) registers it; each part can also be
 * registered on its own with the functions it re-uses.
 */
import type { FastifyInstance } from 'fastify';
import type { ClickHouseHandle } from '../../../store/index.js';
import type { SessionDirectory } from '../../../detect/session/session-directory.js';
import type { RevocationService } from '../../../respond/kill-switch/contracts.js';
import type { Clock } from '../../../lib/clock.js';
import { createSessionReader } from '../queries/session-reader.js';
import { registerSessionRoutes } from './sessions.js';
import { registerSessionTrailRoutes } from './session-trail.js';
import { registerSessionControlRoutes } from './session-control.js';
import { registerVerdictRoute, type BlockedBy } from './verdict.js';
import { registerFindingRoutes } from './findings.js';
import { registerTargetRoutes } from './targets.js';
import { registerUnattributedRoute } from './unattributed.js';

export interface OperatorRouteOptions {
  storage: ClickHouseHandle;
  /** Live sessions (the session registry). */
  sessions: SessionDirectory;
  /** The kill switch's effects: revoke, reinstate, current revocation. */
  revocations: RevocationService;
  /** Optional policy check for hook verdicts (never touches storage). */
  blockedBy?: BlockedBy;
  clock: Clock;
}

export function registerOperatorRoutes(app: FastifyInstance, options: OperatorRouteOptions): void {
  const { storage, sessions, revocations, clock } = options;
  const reader = createSessionReader({ storage, sessions, revocations });
  registerSessionRoutes(app, { reader, clock });
  registerSessionTrailRoutes(app, { storage, reader });
  registerSessionControlRoutes(app, { reader, revocations });
  registerVerdictRoute(app, { revocations, sessions, ...(options.blockedBy ? { blockedBy: options.blockedBy } : {}) });
  registerFindingRoutes(app, { storage, clock });
  registerTargetRoutes(app, { storage, clock });
  registerUnattributedRoute(app, { storage, clock });
}
