/**
 * Detectors find secrets; the scanner replaces them. A detector declares lower-case literal
 * `triggers` (it only runs when one occurs in the lower-cased text, so strings without any
 * candidate pay almost nothing) and reports findings: a [start, end) range and a kind. Most
 * detectors are regular expressions built with `regexDetector`; a few parse by hand.
 */

export interface SecretMatch {
  start: number;
  end: number;
  kind: string;
  /** Lower wins when findings overlap: provider tokens (0) beat structure (1) beat names (2). */
  priority: number;
}

export interface SecretDetector {
  readonly id: string;
  /** Lower-case literals, at least one of which occurs in any text this detector can match. Empty = always run. */
  readonly triggers: readonly string[];
  scan(text: string, out: SecretMatch[]): void;
}

export interface RegexRule {
  kind: string;
  pattern: RegExp;
  triggers: readonly string[];
  /**
   * Capture group holding the secret (the rest is context, kept); whole match by default.
   * `'first'`: the first group that took part in the match (for `'x'|"x"|x` alternatives).
   */
  group?: number | 'first';
  priority?: number;
  /** Extra check on the secret text (e.g. "looks random"); all matches accepted by default. */
  accept?: (secret: string) => boolean;
}

export const PRIORITY_TOKEN = 0;
export const PRIORITY_STRUCTURE = 1;
export const PRIORITY_NAME = 2;

/** Copies the pattern with the flags the scanner needs: `g` to iterate, `d` for group offsets. */
function scanningCopy(pattern: RegExp, needIndices: boolean): RegExp {
  let flags = pattern.flags.replace('y', '');
  if (!flags.includes('g')) flags += 'g';
  if (needIndices && !flags.includes('d')) flags += 'd';
  return new RegExp(pattern.source, flags);
}

function firstGroup(m: RegExpExecArray): number {
  for (let i = 1; i < m.length; i++) if (m[i] !== undefined) return i;
  return 0;
}

export function regexDetector(rule: RegexRule): SecretDetector {
  const group = rule.group ?? 0;
  const pattern = scanningCopy(rule.pattern, group !== 0);
  const priority = rule.priority ?? PRIORITY_TOKEN;
  return {
    id: rule.kind,
    triggers: rule.triggers.map((t) => t.toLowerCase()),
    scan(text, out) {
      pattern.lastIndex = 0;
      for (const m of text.matchAll(pattern)) {
        const g = group === 'first' ? firstGroup(m) : group;
        const secret = m[g];
        if (secret === undefined || secret.length === 0) continue;
        if (rule.accept !== undefined && !rule.accept(secret)) continue;
        const start = g === 0 ? m.index : (m.indices?.[g]?.[0] ?? m.index);
        out.push({ start, end: start + secret.length, kind: rule.kind, priority });
      }
    },
  };
}
