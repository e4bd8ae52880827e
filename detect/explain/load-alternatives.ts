/**
 * Reads `alternatives.yaml` (why an action or a detector's check matters, and what would have
 * been fine instead) and validates it as a whole: every problem — an unknown key, a missing or
 * empty text, an unknown detector or environment, a detector without an entry, a text too long
 * or spread over lines for the agent — is collected and reported in one PermanentError
 * (DETECTOR_DATA_INVALID, `details.problems`). Loaded once when the module loads, so a broken
 * file stops the start.
 */
import { PermanentError } from '../../lib/errors.js';
import { DETECTOR_NAMES, type DetectorName } from '../../model/finding.js';
import { DETECTOR_DATA_INVALID, loadYamlData } from '../common/load-data.js';
import { ENVIRONMENTS } from '../common/environments.js';

/** Longest `why` or `instead` (characters): they go to the agent in a sentence or two. */
export const MAX_TEXT = 160;
const CLASS_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const CHECK_NAME = /^[a-z][a-z0-9_]*$/;

export interface TargetWhy {
  /** Target globs (detect/common/globs.ts). */
  match: string[];
  why: string;
}

export interface ActionAlternative {
  why: string;
  instead: string;
  targets: TargetWhy[];
}

export interface DetectorAlternative {
  /** The detector's checks (`deny`, `escalation`) → why each matters. */
  checks: ReadonlyMap<string, string>;
  /** Why it matters when the finding names no check (or one without a text); '' when none. */
  why: string;
  instead: string;
  /** The detector's alternative wins over the action class's. */
  insteadFirst: boolean;
}

export interface Alternatives {
  version: string;
  actions: ReadonlyMap<string, ActionAlternative>;
  environments: ReadonlyMap<string, string>;
  detectors: ReadonlyMap<DetectorName, DetectorAlternative>;
}

type Doc = Record<string, unknown>;

const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

function unknownKeys(doc: Doc, allowed: readonly string[], where: string, problems: string[]): void {
  for (const k of Object.keys(doc)) if (!allowed.includes(k)) problems.push(`${where}: unknown key "${k}" (expected ${allowed.join(', ')})`);
}

function text(doc: Doc, key: string, where: string, problems: string[], required: boolean): string {
  const v = doc[key];
  if (v === undefined && !required) return '';
  if (typeof v !== 'string' || v.trim() === '') {
    problems.push(`${where}.${key}: expected a non-empty string`);
    return '';
  }
  if (v.length > MAX_TEXT) problems.push(`${where}.${key}: ${v.length} characters, at most ${MAX_TEXT} (it goes to the agent)`);
  if (/[\r\n]/.test(v)) problems.push(`${where}.${key}: one line only`);
  if (/[<>{}]/.test(v.replace(/`[^`]*`/g, ''))) problems.push(`${where}.${key}: no placeholders (<…>, {…}) outside backticks`);
  return v.trim();
}

function readTargets(raw: unknown, where: string, problems: string[]): TargetWhy[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${where}.targets: expected a list of {match, why}`);
    return [];
  }
  const out: TargetWhy[] = [];
  raw.forEach((entry, i) => {
    const at = `${where}.targets[${i}]`;
    if (!isDoc(entry)) return void problems.push(`${at}: expected a mapping {match, why}`);
    unknownKeys(entry, ['match', 'why'], at, problems);
    const match = entry['match'];
    if (!Array.isArray(match) || match.length === 0 || match.some((m) => typeof m !== 'string' || m === '')) {
      problems.push(`${at}.match: expected a non-empty list of target globs`);
    }
    const why = text(entry, 'why', at, problems, true);
    if (Array.isArray(match)) out.push({ match: match.filter((m): m is string => typeof m === 'string'), why });
  });
  return out;
}

function readActions(raw: unknown, problems: string[]): Map<string, ActionAlternative> {
  const out = new Map<string, ActionAlternative>();
  if (!isDoc(raw)) {
    problems.push('actions: expected a mapping of action class -> {why, instead, targets?}');
    return out;
  }
  for (const [name, entry] of Object.entries(raw)) {
    const where = `actions.${name}`;
    if (!CLASS_NAME.test(name)) problems.push(`${where}: not an action class name (family.verb, e.g. git.force_push)`);
    if (!isDoc(entry)) {
      problems.push(`${where}: expected a mapping {why, instead, targets?}`);
      continue;
    }
    unknownKeys(entry, ['why', 'instead', 'targets'], where, problems);
    out.set(name, { why: text(entry, 'why', where, problems, true), instead: text(entry, 'instead', where, problems, true), targets: readTargets(entry['targets'], where, problems) });
  }
  return out;
}

function readEnvironments(raw: unknown, problems: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined) return out;
  if (!isDoc(raw)) {
    problems.push('environments: expected a mapping of environment -> why');
    return out;
  }
  for (const name of Object.keys(raw)) {
    if (!ENVIRONMENTS.strong.has(name)) problems.push(`environments.${name}: not an environment of environments.yaml (${[...ENVIRONMENTS.strong.keys()].join(', ')})`);
    out.set(name, text(raw, name, 'environments', problems, true));
  }
  return out;
}

function readDetectors(raw: unknown, problems: string[]): Map<DetectorName, DetectorAlternative> {
  const out = new Map<DetectorName, DetectorAlternative>();
  if (!isDoc(raw)) {
    problems.push('detectors: expected a mapping of detector -> {checks?, why?, instead}');
    return out;
  }
  for (const [name, entry] of Object.entries(raw)) {
    const where = `detectors.${name}`;
    if (!(DETECTOR_NAMES as readonly string[]).includes(name)) {
      problems.push(`${where}: unknown detector (expected one of ${DETECTOR_NAMES.join(', ')})`);
      continue;
    }
    if (!isDoc(entry)) {
      problems.push(`${where}: expected a mapping {checks?, why?, instead}`);
      continue;
    }
    unknownKeys(entry, ['checks', 'why', 'instead', 'instead_first'], where, problems);
    const checks = new Map<string, string>();
    const rawChecks = entry['checks'];
    if (rawChecks !== undefined && !isDoc(rawChecks)) problems.push(`${where}.checks: expected a mapping of check -> {why}`);
    for (const [check, c] of Object.entries(isDoc(rawChecks) ? rawChecks : {})) {
      const at = `${where}.checks.${check}`;
      if (!CHECK_NAME.test(check)) problems.push(`${at}: a check name is lower_snake_case`);
      if (!isDoc(c)) {
        problems.push(`${at}: expected a mapping {why}`);
        continue;
      }
      unknownKeys(c, ['why'], at, problems);
      checks.set(check, text(c, 'why', at, problems, true));
    }
    const why = text(entry, 'why', where, problems, checks.size === 0);
    const insteadFirst = entry['instead_first'] ?? false;
    if (typeof insteadFirst !== 'boolean') problems.push(`${where}.instead_first: expected true or false`);
    out.set(name as DetectorName, { checks, why, instead: text(entry, 'instead', where, problems, true), insteadFirst: insteadFirst === true });
  }
  for (const name of DETECTOR_NAMES) if (!(name in raw)) problems.push(`detectors.${name}: missing (every detector needs why and instead)`);
  return out;
}

/** Validates a parsed document; throws one error listing every problem. */
export function parseAlternatives(doc: unknown, source: string): Alternatives {
  const problems: string[] = [];
  if (!isDoc(doc)) throw new PermanentError(DETECTOR_DATA_INVALID, `${source}: expected a mapping at the top level`, { details: { problems: ['expected a mapping at the top level'] } });
  unknownKeys(doc, ['version', 'environments', 'actions', 'detectors'], source, problems);
  const version = doc['version'];
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) problems.push('version: expected a string like "1.0.0"');
  const result: Alternatives = {
    version: typeof version === 'string' ? version : '',
    environments: readEnvironments(doc['environments'], problems),
    actions: readActions(doc['actions'], problems),
    detectors: readDetectors(doc['detectors'], problems),
  };
  if (problems.length > 0) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`, { details: { problems } });
  }
  return result;
}

export const ALTERNATIVES_URL = new URL('./alternatives.yaml', import.meta.url);

export function loadAlternatives(url: URL = ALTERNATIVES_URL): Alternatives {
  return parseAlternatives(loadYamlData(url), url.pathname.split('/').slice(-2).join('/'));
}

/** The table Warden runs with, read when this module loads (a broken file stops the start). */
export const ALTERNATIVES: Alternatives = loadAlternatives();
