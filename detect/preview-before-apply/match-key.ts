/**
 * What a preview and an apply must share to match, per tool (`match_on` in the config):
 * directory, terraform workspace, kube context, namespace, resource (the files given with `-f`,
 * else the kind/name after the verb) or release (the name after the verb).
 */
import path from 'node:path';
import type { MatchPart } from './config.js';
import { flagValues, type Invocation } from './read-invocations.js';

export function matchParts(inv: Invocation, verb: readonly string[], workspaceOf: (dir: string) => string): Record<MatchPart, string> {
  const files = flagValues(inv.words, inv.spec.file_flags).map((f) => path.resolve(inv.dir, f)).sort();
  const after = inv.positionals.slice(verb.length);
  return {
    dir: inv.dir,
    workspace: workspaceOf(inv.dir),
    context: flagValues(inv.words, inv.spec.context_flags).at(-1) ?? '',
    namespace: flagValues(inv.words, inv.spec.namespace_flags).at(-1) ?? '',
    resource: files.length > 0 ? files.join(',') : after.join('/'),
    release: after[0] ?? '',
  };
}

export function matchKey(inv: Invocation, parts: Record<MatchPart, string>): string {
  return [inv.tool, ...inv.spec.match_on.map((p) => `${p}=${parts[p]}`)].join('|');
}
