/**
 * Action-class patterns: `*.delete`, `k8s.*`, `tf.destroy`. `*` matches any run of characters
 * (dots included), so `*.delete*` covers `cloud.delete` and `k8s.delete_namespace`. Lexicons
 * that map classes to meanings are lists of these patterns, first match wins.
 */

const compiled = new Map<string, RegExp>();

function regexOf(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`);
    compiled.set(pattern, re);
  }
  return re;
}

export function classMatches(pattern: string, actionClass: string): boolean {
  return regexOf(pattern).test(actionClass);
}

export function classMatchesAny(patterns: readonly string[], actionClass: string): boolean {
  return patterns.some((p) => classMatches(p, actionClass));
}
