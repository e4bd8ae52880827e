/**
 * Scope patterns: globs over target strings. `*` stays inside one segment and `**` crosses
 * `/`. A pattern with a scheme (`k8s://prod/**`) matches targets of that scheme only; a
 * pattern without one matches paths. A pattern without glob characters also covers what lies
 * beneath it (`/home/dev/repo` covers `/home/dev/repo/src/a.ts`). Compiled matchers are cached
 * in a bounded map, since patterns come from sessions as well as from config.
 */
import picomatch from 'picomatch';
import { schemeOf, targetBody } from './targets.js';

type Matcher = (target: string) => boolean;

const GLOB_CHARS = /[*?[\]{}()!+@]/;
const MAX_CACHED = 4096;
const cache = new Map<string, Matcher>();

function compile(pattern: string): Matcher {
  const scheme = schemeOf(pattern);
  const body = targetBody(pattern).replace(/\/+$/, '') || '/';
  let matchBody: (s: string) => boolean;
  if (GLOB_CHARS.test(body)) {
    const pm = picomatch(body, { dot: true });
    matchBody = (s) => pm(s);
  } else {
    matchBody = (s) => s === body || s.startsWith(body.endsWith('/') ? body : `${body}/`);
  }
  return (target) => schemeOf(target) === scheme && matchBody(targetBody(target));
}

function matcher(pattern: string): Matcher {
  let m = cache.get(pattern);
  if (m === undefined) {
    m = compile(pattern);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, m);
  }
  return m;
}

/** The first pattern matching any of the target's spellings, or undefined. */
export function firstMatch(patterns: readonly string[], spellings: readonly string[]): string | undefined {
  for (const p of patterns) {
    const m = matcher(p);
    if (spellings.some((s) => m(s))) return p;
  }
  return undefined;
}

export function matchesAny(patterns: readonly string[], spellings: readonly string[]): boolean {
  return firstMatch(patterns, spellings) !== undefined;
}

export function patternScheme(pattern: string): string {
  return schemeOf(pattern);
}
