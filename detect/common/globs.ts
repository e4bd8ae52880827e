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

function scan(patterns: readonly string[], spellings: readonly string[]): string | undefined {
  for (const p of patterns) {
    const m = matcher(p);
    if (spellings.some((s) => m(s))) return p;
  }
  return undefined;
}

/**
 * Answers already given per pattern list (by identity) and spellings: a session names the same
 * targets again and again, and configured lists (known targets, sensitive kinds) are matched on
 * every event. A list is identified by the array: lists are replaced, never edited in place (a
 * session's declared scope, a policy's layers); as a guard, a list whose length or end entries
 * changed starts over. Bounded per list; a list that is garbage takes its answers with it.
 */
const MAX_ANSWERS_PER_LIST = 4096;
interface Answers { length: number; first: string | undefined; last: string | undefined; byTarget: Map<string, string | null> }
const answers = new WeakMap<readonly string[], Answers>();

/** The first pattern matching any of the target's spellings, or undefined. */
export function firstMatch(patterns: readonly string[], spellings: readonly string[]): string | undefined {
  if (patterns.length === 0) return undefined;
  let known = answers.get(patterns);
  if (known === undefined || known.length !== patterns.length || known.first !== patterns[0] || known.last !== patterns[patterns.length - 1]) {
    known = { length: patterns.length, first: patterns[0], last: patterns[patterns.length - 1], byTarget: new Map() };
    answers.set(patterns, known);
  }
  const key = spellings.length === 1 ? spellings[0]! : spellings.join('\u0000');
  const hit = known.byTarget.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = scan(patterns, spellings);
  if (known.byTarget.size >= MAX_ANSWERS_PER_LIST) known.byTarget.delete(known.byTarget.keys().next().value as string);
  known.byTarget.set(key, found ?? null);
  return found;
}

export function matchesAny(patterns: readonly string[], spellings: readonly string[]): boolean {
  return firstMatch(patterns, spellings) !== undefined;
}

export function patternScheme(pattern: string): string {
  return schemeOf(pattern);
}
