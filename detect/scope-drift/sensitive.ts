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

/** The heaviest kind a target belongs to, or undefined. `spellings` are the target's forms. */
export function sensitivityOf(kinds: readonly SensitiveKind[], spellings: readonly string[]): SensitiveHit | undefined {
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
