/**
 * Redactor options and their validation. Problems are collected and reported together in one
 * `PermanentError` (`REDACT_INVALID_OPTIONS`), at construction, never on the hot path.
 */
import type { Metrics } from '../../lib/metrics.js';
import { PermanentError } from '../../lib/errors.js';
import { isValidKind } from './marker.js';

export interface ExtraPattern {
  /** Marker kind, lower snake case: `[REDACTED:<kind>]`. */
  kind: string;
  /** Any flags; the redactor adds `g` (and `d` when `group` is set). Must not match the empty string. */
  pattern: RegExp;
  /** Capture group holding the secret; the whole match by default. */
  group?: number;
  /**
   * Lower-case literals, one of which occurs in every match: the pattern is skipped for text
   * without them. Without triggers the pattern runs on every string (slower).
   */
  triggers?: string[];
}

export interface RedactorOptions {
  /** Site-specific secrets (internal token formats). They win over built-in name-based findings. */
  extraPatterns?: ExtraPattern[];
  /** Counts redactions by kind (`warden_redactions_total`). */
  metrics?: Pick<Metrics, 'redactions'>;
}

function groupCount(pattern: RegExp): number {
  return (new RegExp(`${pattern.source}|`).exec('')?.length ?? 1) - 1;
}

export function validateOptions(options: RedactorOptions): void {
  const problems: string[] = [];
  (options.extraPatterns ?? []).forEach((p, i) => {
    const at = `extraPatterns[${i}]`;
    if (typeof p.kind !== 'string' || !isValidKind(p.kind)) {
      problems.push(`${at}.kind must be lower snake case (got ${JSON.stringify(p.kind)})`);
    }
    if (!(p.pattern instanceof RegExp)) {
      problems.push(`${at}.pattern must be a RegExp`);
      return;
    }
    if (new RegExp(p.pattern.source, p.pattern.flags.replace(/[gy]/g, '')).test('')) {
      problems.push(`${at}.pattern matches the empty string`);
    }
    if (p.group !== undefined && (!Number.isInteger(p.group) || p.group < 0 || p.group > groupCount(p.pattern))) {
      problems.push(`${at}.group ${p.group} is not a capture group of the pattern`);
    }
    for (const t of p.triggers ?? []) {
      if (typeof t !== 'string' || t.length === 0 || t !== t.toLowerCase()) {
        problems.push(`${at}.triggers must be non-empty lower-case strings (got ${JSON.stringify(t)})`);
      }
    }
  });
  if (problems.length > 0) {
    throw new PermanentError('REDACT_INVALID_OPTIONS', `invalid redactor options: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}
