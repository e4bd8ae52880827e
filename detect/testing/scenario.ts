/**
 * Detector test scenarios as data. A scenario is a session (declarations) and a list of steps,
 * each an action an agent took — a shell command or a tool call — with the time since the
 * previous step. Steps become real AuditEvents: the command is classified by the real
 * classifier (so `destructive`, `targets` and `severity` are what production would compute),
 * then fed to the detector in order under a fake clock. Fixture files (`testdata/*.yaml` in a
 * detector's folder) hold lists of scenarios under `fires:` and `silent:`.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import type { AuditEvent, Phase } from '../../model/audit-event.js';
import { createClassifier } from '../../normalize/classify/index.js';
import { FakeClock } from '../../lib/clock.js';
import type { DetectorFactory } from '../detector.js';
import type { FindingDraft } from '../../model/finding.js';
import type { SessionState } from '../session/session-state.js';
import { zeroCounts, type SessionDeclarations, type SessionIdentity, type SessionStatus } from '../../model/session.js';

export interface ScenarioStep {
  /** Milliseconds since the previous step (default 1000). */
  after_ms?: number;
  tool?: string;
  command?: string;
  arguments?: Record<string, unknown>;
  cwd?: string;
  phase?: Phase;
  tool_call_id?: string;
  /** Harness-declared targets, merged with the derived ones. */
  targets?: string[];
  environment?: string;
  status?: 'ok' | 'error' | 'unset';
  /** Any other AuditEvent field to set as is. */
  set?: Partial<AuditEvent>;
}

export interface Scenario {
  name: string;
  /** The session's declarations, identity and status (model/session.ts); defaults for what is left out. */
  session?: Partial<SessionDeclarations & Pick<SessionIdentity, 'tenant' | 'agent_id'>> & { state?: SessionStatus };
  /** Partial detector config merged over the defaults. */
  config?: Record<string, unknown>;
  steps: ScenarioStep[];
}

export interface ScenarioFile {
  fires: Scenario[];
  silent: Scenario[];
}

export function loadScenarios(file: string): ScenarioFile {
  const doc = parse(fs.readFileSync(file, 'utf8')) as Partial<ScenarioFile> | null;
  return { fires: doc?.fires ?? [], silent: doc?.silent ?? [] };
}

const classifier = createClassifier();
const START_MS = Date.UTC(2026, 10, 21, 9, 0, 0);

export function newSession(scenario: Scenario, nowMs: number): SessionState {
  const s = scenario.session ?? {};
  return {
    tenant: s.tenant ?? 'default',
    id: `scenario-${scenario.name}`,
    agent_id: s.agent_id ?? 'test-agent',
    user_id: 'dev@example.com',
    goal: s.goal ?? '',
    scope_allow: s.scope_allow ?? [],
    scope_deny: s.scope_deny ?? [],
    environment: s.environment ?? '',
    state: s.state ?? 'active',
    revoked: s.state === 'revoked' ? { at: new Date(nowMs).toISOString(), by: 'operator:test', reason: 'test', finding_id: null } : null,
    first_seen_ms: nowMs,
    last_seen_ms: nowMs,
    counts: zeroCounts(),
    recentIds: [],
    slots: new Map(),
  };
}

/** Builds the AuditEvent of one step, classified like production would. */
export function stepEvent(step: ScenarioStep, index: number, session: SessionState, nowMs: number): AuditEvent {
  const tool = step.tool ?? 'Bash';
  const command = step.command ?? '';
  const args = step.arguments ?? (command ? { command } : {});
  const cwd = step.cwd ?? '/home/dev/repo';
  const environment = step.environment ?? session.environment;
  const c = classifier.classify({ tool, command, arguments: args, cwd, environment });
  const ns = (BigInt(nowMs) * 1_000_000n).toString();
  return {
    event_id: `${session.id}-${index}`,
    tenant: session.tenant,
    session_id: session.id,
    agent_id: session.agent_id,
    user_id: session.user_id,
    source: 'otel',
    signal: 'traces',
    name: `execute_tool ${tool}`,
    trace_id: '',
    span_id: '',
    parent_span_id: '',
    phase: step.phase ?? 'execution',
    tool,
    tool_call_id: step.tool_call_id ?? `call-${index}`,
    command,
    arguments: JSON.stringify(args),
    cwd,
    targets: [...new Set([...(step.targets ?? []), ...c.targets])],
    action_class: c.action_class,
    rule_ids: c.matches.map((m) => m.rule_id),
    destructive: c.destructive,
    reversible: c.reversible,
    severity: c.severity,
    environment,
    goal: '',
    scope_allow: [],
    scope_deny: [],
    decision: '',
    status: step.status ?? 'ok',
    exit_code: null,
    error_type: '',
    time_ns: ns,
    end_time_ns: ns,
    observed_ns: ns,
    attributes: {},
    redactions: 0,
    ...step.set,
  };
}

export interface ScenarioRun {
  /** Drafts returned per step, in order. */
  perStep: FindingDraft[][];
  all: FindingDraft[];
  events: AuditEvent[];
}

/** Runs one detector over a scenario; the session's recent events and counts are kept as the engine would. */
export function runScenario<C>(factory: DetectorFactory<C>, scenario: Scenario): ScenarioRun {
  const clock = new FakeClock(START_MS);
  const check = factory.validate(scenario.config ?? {}, factory.defaults);
  if (check.problems.length > 0) throw new Error(`scenario ${scenario.name}: bad config: ${check.problems.join('; ')}`);
  const detector = factory.create();
  const session = newSession(scenario, clock.now());
  const perStep: FindingDraft[][] = [];
  const events: AuditEvent[] = [];
  scenario.steps.forEach((step, i) => {
    clock.advance(step.after_ms ?? 1000);
    const event = stepEvent(step, i, session, clock.now());
    events.push(event);
    session.last_seen_ms = clock.now();
    session.counts.events++;
    if (event.phase === 'intent') session.counts.intents++;
    if (event.phase === 'execution') session.counts.executions++;
    if (event.destructive) session.counts.destructive++;
    const drafts = detector.observe(event, {
      session,
      config: check.config,
      clock,
      slot: <S>(init: () => S): S => {
        if (!session.slots.has(factory.name)) session.slots.set(factory.name, init());
        return session.slots.get(factory.name) as S;
      },
    });
    session.recentIds.push(event.event_id);
    if (session.recentIds.length > 200) session.recentIds.shift();
    perStep.push(drafts);
  });
  return { perStep, all: perStep.flat(), events };
}
