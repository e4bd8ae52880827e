/**
 * Sensitive kinds (production, credentials, infrastructure, system, other users' data, the
 * agent's own history): which of them a target belongs to, by glob pattern or by a whole word
 * in its name. A drifting target's score is multiplied by the largest matching weight.
 */
import type { Fields } from '../common/config-fields.js';
import { firstMatch } from '../common/globs.js';
import { words } from '../common/tokens.js';

export interface SensitiveKind {
  kind: string;
  /** Score multiplier (1 = neutral). */
  weight: number;
  /** Whole words in the target that make it this kind (`prod` in `k8s://prod-eu/…`). */
  words: string[];
  /** Globs over the target (home-relative and absolute spellings are both tried). */
  patterns: string[];
}

export interface SensitiveHit {
  kind: string;
  weight: number;
  /** The pattern or word that matched, for the explanation. */
  because: string;
}

export const SENSITIVE_KIND_FIELDS = ['kind', 'weight', 'words', 'patterns'] as const;

/** One entry of `sensitive_kinds`: `kind` is required, the rest default to neutral. */
export function readSensitiveKind(f: Fields): SensitiveKind {
  return { kind: f.string('kind', undefined, { nonEmpty: true }), weight: f.number('weight', 1, { min: 0, max: 10 }), words: f.strings('words', []), patterns: f.strings('patterns', []) };
}

/**
 * Answers per kinds list (by identity: a policy's list is built once and never edited) and
 * spellings — the same targets come back event after event. Bounded per list.
 */
const MAX_ANSWERS_PER_LIST = 4096;
const answers = new WeakMap<readonly SensitiveKind[], Map<string, SensitiveHit | null>>();

/** The heaviest kind a target belongs to, or undefined. `spellings` are the target's forms. */
export function sensitivityOf(kinds: readonly SensitiveKind[], spellings: readonly string[]): SensitiveHit | undefined {
  let known = answers.get(kinds);
  if (known === undefined) {
    known = new Map();
    answers.set(kinds, known);
  }
  const key = spellings.length === 1 ? spellings[0]! : spellings.join('\u0000');
  const hit = known.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = heaviestKind(kinds, spellings);
  if (known.size >= MAX_ANSWERS_PER_LIST) known.delete(known.keys().next().value as string);
  known.set(key, found ?? null);
  return found;
}

function heaviestKind(kinds: readonly SensitiveKind[], spellings: readonly string[]): SensitiveHit | undefined {
  let best: SensitiveHit | undefined;
  const ws = new Set(spellings.flatMap((s) => words(s)));
  for (const k of kinds) {
    if (best !== undefined && k.weight <= best.weight) continue;
    const pattern = firstMatch(k.patterns, spellings);
    const word = pattern === undefined ? k.words.find((w) => ws.has(w)) : undefined;
    const because = pattern ?? (word === undefined ? undefined : `word "${word}"`);
    if (because !== undefined) best = { kind: k.kind, weight: k.weight, because };
  }
  return best;
}
