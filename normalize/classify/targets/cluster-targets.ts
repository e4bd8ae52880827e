/**
 * Kubernetes targets: `k8s://<context>/<namespace>/<kind>/<name>`, the context from
 * `--context` (else `current`), the namespace from `-n/--namespace` (else `default`, `*` with
 * `-A`); a namespace itself is `k8s://<context>/<name>`. Kind spellings are folded through the
 * spec's `extra.kind_aliases` (`ns` -> namespace, `po` -> pod). Helm releases live at
 * `k8s://<context>/<namespace>/helm-release/<name>`.
 */
import type { CommandSubject } from '../evaluate/subject.js';

function kindAliases(s: CommandSubject): Record<string, string> {
  const raw = s.spec?.extra.kind_aliases;
  return raw && typeof raw === 'object' ? (raw as Record<string, string>) : {};
}

export function kubernetesTargets(s: CommandSubject): void {
  const o = s.argv.options;
  const ctx = o.get('context')?.[0] ?? 'current';
  const allNs = s.argv.flags.has('all_namespaces');
  const ns = allNs ? '*' : o.get('namespace')?.[0] ?? 'default';
  const aliases = kindAliases(s);
  const fold = (k: string): string => aliases[k.toLowerCase()] ?? k.toLowerCase();
  const pos = s.argv.positionals.filter((p) => !p.text.includes('=')).map((p) => p.text);
  const push = (kind: string, name: string): void => {
    const value = kind === 'namespace' ? `k8s://${ctx}/${name}` : kind === 'all' ? `k8s://${ctx}/${ns}/*` : `k8s://${ctx}/${ns}/${kind}/${name}`;
    s.targets.push({ value, unknown: false });
  };
  if (o.has('filename')) {
    s.targets.push({ value: `k8s://${ctx}/${ns}/*`, unknown: false });
    return;
  }
  const first = pos[0];
  if (first === undefined) {
    if (s.argv.subcommand.length > 0) s.targets.push({ value: `k8s://${ctx}/${ns}`, unknown: false });
    return;
  }
  const wide = s.argv.flags.has('all') || o.has('selector');
  if (first.includes('/')) {
    for (const p of pos) {
      const [kind = '', name = '*'] = p.split('/');
      push(fold(kind), name);
    }
    return;
  }
  const kinds = first.split(',').map(fold);
  const names = pos.slice(1);
  for (const kind of kinds) {
    if (names.length === 0 || wide) push(kind, '*');
    else for (const n of names) push(kind, n);
  }
}

export function helmTargets(s: CommandSubject): void {
  const ctx = s.argv.options.get('kube_context')?.[0] ?? 'current';
  const ns = s.argv.flags.has('all_namespaces') ? '*' : s.argv.options.get('namespace')?.[0] ?? 'default';
  const names = s.argv.positionals.map((p) => p.text);
  if (names.length === 0) s.targets.push({ value: `k8s://${ctx}/${ns}/helm-release/*`, unknown: false });
  else s.targets.push({ value: `k8s://${ctx}/${ns}/helm-release/${names[0]}`, unknown: false });
}
