/**
 * Environment words (environments.yaml): which environments a text names. Words match whole
 * (`prod-eu` names production, `products` does not); hyphenated entries match as a run of
 * words (`pre-prod`). Weak words (`test`, `stage`, `live`) count in prose only before a
 * context noun ("the test environment"), and always in target names.
 */
import { PermanentError } from '../../lib/errors.js';
import { DETECTOR_DATA_INVALID, loadYamlData, stringList } from './load-data.js';
import { words } from './tokens.js';

export interface EnvironmentTable {
  /** Canonical environment → words that always name it. */
  strong: ReadonlyMap<string, readonly string[][]>;
  /** Canonical environment → words that name it in prose only before a context noun. */
  weak: ReadonlyMap<string, readonly string[][]>;
  contextNouns: ReadonlySet<string>;
}

function loadEnvironmentTable(): EnvironmentTable {
  const doc = loadYamlData(new URL('./environments.yaml', import.meta.url));
  const envs = doc['environments'];
  if (envs === null || typeof envs !== 'object' || Array.isArray(envs)) {
    throw new PermanentError(DETECTOR_DATA_INVALID, 'environments.yaml: environments must be a mapping');
  }
  const strong = new Map<string, string[][]>();
  const weak = new Map<string, string[][]>();
  for (const [name, entry] of Object.entries(envs as Record<string, unknown>)) {
    const e = (entry ?? {}) as Record<string, unknown>;
    strong.set(name, stringList(e, 'words').map(words));
    weak.set(name, e['weak'] === undefined ? [] : stringList(e, 'weak').map(words));
  }
  return { strong, weak, contextNouns: new Set(stringList(doc, 'context_nouns')) };
}

export const ENVIRONMENTS: EnvironmentTable = loadEnvironmentTable();

/** Index just past each occurrence of `needle` as a run of `haystack`. */
function runEnds(haystack: readonly string[], needle: readonly string[]): number[] {
  const ends: number[] = [];
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    ends.push(i + needle.length);
  }
  return ends;
}

/**
 * Canonical environments a text names. `prose: true` (goals) applies the context-noun rule to
 * weak words; names (targets, declared environments) take every word at face value.
 */
export function environmentsIn(text: string | readonly string[], prose: boolean, table: EnvironmentTable = ENVIRONMENTS): Set<string> {
  const ws = typeof text === 'string' ? words(text) : text;
  const found = new Set<string>();
  for (const [env, list] of table.strong) if (list.some((w) => runEnds(ws, w).length > 0)) found.add(env);
  for (const [env, list] of table.weak) {
    if (found.has(env)) continue;
    const hit = list.some((w) =>
      runEnds(ws, w).some((end) => !prose || ws.slice(end, end + 2).some((n) => table.contextNouns.has(n))),
    );
    if (hit) found.add(env);
  }
  return found;
}
