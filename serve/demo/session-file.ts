/**
 * Recorded agent sessions as data (`sessions/*.yaml`, format in README.md): who the agent was,
 * which wire shape its telemetry had (`source`), what it was asked to do and within which scope,
 * and every tool call it made with the gap since the previous one. This module reads and
 * validates those files, reporting every problem of every file at once, so a broken fixture
 * fails loudly before anything is replayed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const SOURCES = ['claude_code_logs', 'codex_logs', 'hooks', 'genai_spans'] as const;
export type SessionSource = (typeof SOURCES)[number];

export type StepPhase = 'pair' | 'intent' | 'execution';

export interface SessionStep {
  /** Tool name as the harness reports it: `Bash`, `shell`, `Edit`, `gmail.batch_delete`, … */
  tool: string;
  /** The shell command, for shell tools. */
  command?: string;
  /** The tool's arguments (for shell tools: extra keys beside the command). */
  arguments?: Record<string, unknown>;
  /** Working directory; defaults to the session's. */
  cwd?: string;
  /** Milliseconds since the previous step finished (the first: since the session started). */
  after_ms: number;
  /** How long the tool ran (default 250). */
  duration_ms?: number;
  /** `pair` (default where the source has intents): an intent, then its execution. */
  phase?: StepPhase;
  /** What the intent receipt declared, when it differs from what was executed. */
  intent?: { command?: string; arguments?: Record<string, unknown> };
  /** The decision logged with the intent (default: accepted). */
  decision?: 'accept' | 'reject';
  outcome?: 'ok' | 'error';
  /** Error text of a failed execution. */
  error?: string;
  exit_code?: number;
  /** What the agent was doing, in words (shown by `warden demo`). */
  note?: string;
  /** The harmful action of an incident (the step a revocation should come by). */
  harm?: boolean;
}

export interface SessionDeclaration {
  goal: string;
  environment?: string;
  /** Default working directory of the steps. */
  cwd: string;
  user?: string;
  /** Declared scope; absent when the harness declares none (learned working set). */
  scope?: { allow?: string[]; deny?: string[] };
  /** Where the goal is announced: the `warden.session.start` record (default) or a user-prompt event. */
  goal_via?: 'start' | 'prompt';
}

export interface IncidentSession {
  name: string;
  kind: 'incident' | 'benign';
  expect: 'revoked' | 'not_revoked';
  /** Seed incident letter from the incident list, when this is one. */
  seed?: string;
  agent: string;
  source: SessionSource;
  /** Request encoding (default: the one the real harness uses for this source). */
  encoding?: 'json' | 'protobuf';
  /** What happened, in one or two sentences. */
  description: string;
  /** Whether the harness writes intent receipts (default: true except for genai_spans). */
  intents?: boolean;
  session: SessionDeclaration;
  steps: SessionStep[];
  /** File the session was read from. */
  file: string;
}

const STEP_KEYS = new Set(['tool', 'command', 'arguments', 'cwd', 'after_ms', 'duration_ms', 'phase', 'intent', 'decision', 'outcome', 'error', 'exit_code', 'note', 'harm']);
const TOP_KEYS = new Set(['name', 'kind', 'expect', 'seed', 'agent', 'source', 'encoding', 'description', 'intents', 'session', 'steps']);
const SESSION_KEYS = new Set(['goal', 'environment', 'cwd', 'user', 'scope', 'goal_via']);

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '');
}

function unknownKeys(obj: Raw, allowed: Set<string>, where: string, problems: string[]): void {
  for (const key of Object.keys(obj)) if (!allowed.has(key)) problems.push(`${where}: unknown key "${key}"`);
}

function checkStep(raw: unknown, where: string, problems: string[]): void {
  if (!isObject(raw)) {
    problems.push(`${where}: must be a mapping`);
    return;
  }
  unknownKeys(raw, STEP_KEYS, where, problems);
  if (typeof raw.tool !== 'string' || raw.tool === '') problems.push(`${where}.tool must be a non-empty string`);
  if (raw.command !== undefined && typeof raw.command !== 'string') problems.push(`${where}.command must be a string`);
  if (raw.arguments !== undefined && !isObject(raw.arguments)) problems.push(`${where}.arguments must be a mapping`);
  if (raw.command === undefined && raw.arguments === undefined) problems.push(`${where}: needs a command or arguments`);
  const after = raw.after_ms;
  if (typeof after !== 'number' || !Number.isInteger(after) || after < 0 || after > 600_000) {
    problems.push(`${where}.after_ms must be an integer between 0 and 600000`);
  }
  const duration = raw.duration_ms;
  if (duration !== undefined && (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 0)) {
    problems.push(`${where}.duration_ms must be a non-negative integer`);
  }
  if (raw.phase !== undefined && !['pair', 'intent', 'execution'].includes(raw.phase as string)) problems.push(`${where}.phase must be pair, intent or execution`);
  if (raw.decision !== undefined && !['accept', 'reject'].includes(raw.decision as string)) problems.push(`${where}.decision must be accept or reject`);
  if (raw.outcome !== undefined && !['ok', 'error'].includes(raw.outcome as string)) problems.push(`${where}.outcome must be ok or error`);
  if (raw.intent !== undefined && !isObject(raw.intent)) problems.push(`${where}.intent must be a mapping`);
  if (raw.harm !== undefined && typeof raw.harm !== 'boolean') problems.push(`${where}.harm must be true or false`);
}

function checkSession(raw: unknown, where: string, problems: string[]): void {
  if (!isObject(raw)) {
    problems.push(`${where}: must be a mapping`);
    return;
  }
  unknownKeys(raw, SESSION_KEYS, where, problems);
  if (typeof raw.goal !== 'string' || raw.goal === '') problems.push(`${where}.goal must be a non-empty string`);
  if (typeof raw.cwd !== 'string' || !raw.cwd.startsWith('/')) problems.push(`${where}.cwd must be an absolute path`);
  if (raw.goal_via !== undefined && !['start', 'prompt'].includes(raw.goal_via as string)) problems.push(`${where}.goal_via must be start or prompt`);
  if (raw.scope !== undefined) {
    if (!isObject(raw.scope)) problems.push(`${where}.scope must be a mapping`);
    else
      for (const key of ['allow', 'deny'] as const) {
        const list = raw.scope[key];
        if (list !== undefined && !isStringList(list)) problems.push(`${where}.scope.${key} must be a list of patterns`);
      }
  }
}

/** Validates one parsed file; returns the problems found (empty when valid). */
export function checkSessionDoc(doc: unknown, where: string): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return [`${where}: must be a mapping`];
  unknownKeys(doc, TOP_KEYS, where, problems);
  if (typeof doc.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(doc.name)) problems.push(`${where}.name must be kebab-case`);
  if (doc.kind !== 'incident' && doc.kind !== 'benign') problems.push(`${where}.kind must be incident or benign`);
  if (doc.expect !== 'revoked' && doc.expect !== 'not_revoked') problems.push(`${where}.expect must be revoked or not_revoked`);
  if (doc.kind === 'incident' && doc.expect === 'not_revoked') problems.push(`${where}: an incident is expected to be revoked`);
  if (doc.kind === 'benign' && doc.expect === 'revoked') problems.push(`${where}: a benign session is expected not to be revoked`);
  if (typeof doc.agent !== 'string' || doc.agent === '') problems.push(`${where}.agent must be a non-empty string`);
  if (!SOURCES.includes(doc.source as SessionSource)) problems.push(`${where}.source must be one of ${SOURCES.join(', ')}`);
  if (doc.encoding !== undefined && doc.encoding !== 'json' && doc.encoding !== 'protobuf') problems.push(`${where}.encoding must be json or protobuf`);
  if (typeof doc.description !== 'string' || doc.description === '') problems.push(`${where}.description must be a non-empty string`);
  if (doc.seed !== undefined && typeof doc.seed !== 'string') problems.push(`${where}.seed must be a string`);
  if (doc.intents !== undefined && typeof doc.intents !== 'boolean') problems.push(`${where}.intents must be true or false`);
  checkSession(doc.session, `${where}.session`, problems);
  if (isObject(doc.session) && doc.session.goal_via === 'prompt' && doc.source === 'genai_spans') {
    problems.push(`${where}.session.goal_via: genai_spans has no user-prompt event`);
  }
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) problems.push(`${where}.steps must be a non-empty list`);
  else {
    doc.steps.forEach((step: unknown, i: number) => checkStep(step, `${where}.steps[${i}]`, problems));
    const harmful = doc.steps.filter((step: unknown) => isObject(step) && step.harm === true).length;
    if (doc.kind === 'incident' && harmful === 0) problems.push(`${where}: an incident marks its harmful step with harm: true`);
    if (doc.kind === 'benign' && harmful > 0) problems.push(`${where}: a benign session has no harmful step`);
  }
  return problems;
}

/** Every `*.yaml` session in `dir`, sorted by file name; throws with every problem of every file. */
export function loadIncidentSessions(dir: string): IncidentSession[] {
  const files = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort();
  const problems: string[] = [];
  const sessions: IncidentSession[] = [];
  const names = new Set<string>();
  for (const name of files) {
    const file = path.join(dir, name);
    let doc: unknown;
    try {
      doc = parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`${name}: not valid YAML (${(err as Error).message})`);
      continue;
    }
    const found = checkSessionDoc(doc, name);
    problems.push(...found);
    if (found.length > 0) continue;
    const session = { ...(doc as Omit<IncidentSession, 'file'>), file };
    if (names.has(session.name)) problems.push(`${name}: duplicate session name "${session.name}"`);
    names.add(session.name);
    sessions.push(session);
  }
  if (problems.length > 0) throw new Error(`invalid incident sessions in ${dir}:\n  ${problems.join('\n  ')}`);
  return sessions;
}
