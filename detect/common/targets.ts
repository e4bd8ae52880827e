/**
 * Target strings as structure. Targets are absolute paths or URIs (`k8s://ctx/ns/kind/name`,
 * `aws://acct/region/service/id`, `git://remote/refs/heads/x`, `db://engine/db/table`,
 * `tf://dir/address`, `mail://box/folder`, `https://host/path`, …); detectors compare them
 * segment by segment. A path keeps its `~` when the home directory is unknown. For `tf://`
 * the directory is everything but the last segment (the resource address).
 */

export interface ParsedTarget {
  /** The original string. */
  raw: string;
  /** `path` for paths, otherwise the URI scheme (`k8s`, `aws`, `tf`, …). */
  kind: string;
  /** Hierarchical components: path segments, or the URI body split on `/`. */
  segments: string[];
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i;

export function schemeOf(target: string): string {
  const m = SCHEME.exec(target);
  return m ? m[1]!.toLowerCase() : 'path';
}

export function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

export function parseTarget(raw: string): ParsedTarget {
  const m = SCHEME.exec(raw);
  if (!m) return { raw, kind: 'path', segments: splitPath(raw) };
  const kind = m[1]!.toLowerCase();
  return { raw, kind, segments: splitPath(m[2]!) };
}

/** The body of a target as a glob subject: the path itself, or the URI without `scheme://`. */
export function targetBody(raw: string): string {
  const m = SCHEME.exec(raw);
  return m ? m[2]! : raw;
}

/**
 * True when `inner` equals `outer` or lies beneath it (segment-wise); a `*` segment (a glob
 * the classifier kept, `k8s://current/ns/pod/*`) matches anything. `current` (the kubeconfig
 * or profile default) is literal: an explicit `--context prod` is another cluster than it.
 */
export function segmentsWithin(outer: string[], inner: string[]): boolean {
  if (inner.length < outer.length) return false;
  return outer.every((s, i) => segmentEqual(s, inner[i]!));
}

export function segmentEqual(a: string, b: string): boolean {
  return a === b || a === '*' || b === '*';
}

/** Length of the common leading run of two segment lists. */
export function commonPrefix(a: string[], b: string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && segmentEqual(a[i]!, b[i]!)) i++;
  return i;
}
