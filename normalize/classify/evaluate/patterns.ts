/**
 * Glob matching for conditions, with compiled matchers cached by pattern; patterns without
 * glob characters compare as plain strings. List entries may use two placeholders: `{cwd}`
 * (the working directory itself, e.g. `rm -rf .`) and `{cwd_ancestors}` (any folder above it,
 * e.g. `rm -rf ..`).
 */
import picomatch from 'picomatch';
import type { ListRef } from '../rule-schema.js';
import { resolvePath } from '../targets/paths.js';

type Matcher = (s: string) => boolean;
const exact = new Map<string, Matcher>();
const folded = new Map<string, Matcher>();
const GLOB_CHARS = /[*?[\]{}()!+@\\]/;

function compile(pattern: string, nocase: boolean): Matcher {
  const cache = nocase ? folded : exact;
  let m = cache.get(pattern);
  if (!m) {
    if (!GLOB_CHARS.test(pattern)) {
      const lower = pattern.toLowerCase();
      m = nocase ? (s) => s.toLowerCase() === lower : (s) => s === pattern;
    } else {
      m = picomatch(pattern, { dot: true, nocase });
    }
    cache.set(pattern, m);
  }
  return m;
}

export function globMatch(patterns: string[], value: string, nocase = false): boolean {
  for (const p of patterns) if (compile(p, nocase)(value)) return true;
  return false;
}

export interface PatternContext {
  lists: Record<string, string[]>;
  /** Working directory, already resolved (absolute, or `~…`, or ''). */
  cwd: string;
}

export function patternContext(lists: Record<string, string[]>, cwd: string): PatternContext {
  return { lists, cwd: cwd ? resolvePath(cwd, '') : '' };
}

export function resolveList(ref: ListRef, ctx: PatternContext): string[] {
  return typeof ref === 'string' ? ctx.lists[ref] ?? [] : ref;
}

/** True when `target` matches any pattern of `ref`, honouring the cwd placeholders. */
export function targetIn(ref: ListRef, target: string, ctx: PatternContext): boolean {
  const patterns = resolveList(ref, ctx);
  const cwd = ctx.cwd;
  for (const p of patterns) {
    if (p === '{cwd}') {
      if (cwd !== '' && target === cwd) return true;
    } else if (p === '{cwd_ancestors}') {
      if (cwd !== '' && target !== cwd && (target === '/' || cwd.startsWith(`${target}/`))) return true;
    } else if (compile(p, false)(target)) return true;
  }
  return false;
}
