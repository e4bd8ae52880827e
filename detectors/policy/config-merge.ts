/**
 * Partial configs over complete ones. A detector's defaults (its `defaults.yaml`) name every
 * field, so a key the defaults do not have is a typo and is reported, not ignored. Mappings merge
 * key by key, lists and scalars replace. A few mappings are open (their keys are data, such as
 * weights by rule id): any key is accepted there and its value is checked by the detector.
 * Nothing here throws: problems are collected, each naming its field, so a policy file reports
 * every mistake in one go.
 */

export interface MergeOptions {
  /** Dotted paths of mappings whose keys are free (e.g. `weights.by_rule`; `*` matches one key). */
  openMaps?: readonly string[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

type OpenTest = (path: string) => boolean;

function openTest(paths: readonly string[]): OpenTest {
  const patterns = paths.map((p) => p.split('.'));
  return (path) => {
    const parts = path.split('.');
    return patterns.some((p) => p.length === parts.length && p.every((seg, i) => seg === '*' || seg === parts[i]));
  };
}

function mergeNode(raw: unknown, base: unknown, path: string, problems: string[], open: OpenTest): unknown {
  if (raw === undefined) return structuredClone(base);
  if (raw === null) {
    problems.push(`${path || '(root)'}: has no value`);
    return structuredClone(base);
  }
  if (!isPlainObject(base)) return structuredClone(raw);
  if (!isPlainObject(raw)) {
    problems.push(`${path || '(root)'}: must be a mapping`);
    return structuredClone(base);
  }
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(raw)) {
    const at = join(path, key);
    if (key in base) out[key] = mergeNode(value, base[key], at, problems, open);
    else if (open(path)) out[key] = structuredClone(value);
    else problems.push(`${at}: unknown key`);
  }
  return out;
}

/** Merges `raw` (a partial config, as parsed from YAML) over `base`; problems are appended. */
export function mergeOver<C>(raw: unknown, base: C, problems: string[], options: MergeOptions = {}): C {
  return mergeNode(raw, base, '', problems, openTest(options.openMaps ?? [])) as C;
}
