/**
 * Package and image registry targets: `npm://<name>[@<version>]` (npm, pnpm), `crates://…`
 * (cargo), `rubygems://…` (gem), `nuget://<id>[@<version>]` (nuget, dotnet nuget), and
 * `oci://<registry>/<repository>[:tag|@digest]` (skopeo, crane, regctl). The package is the
 * argument each subcommand documents for it (`npm owner rm <user> <pkg>`, `npm dist-tag rm
 * <pkg> <tag>`, `cargo yank <crate> --version <v>`, `gem yank <gem> -v <v>`); a command without
 * one (`npm publish`) acts on the project in the working directory and names no target.
 */
import type { CommandSubject } from '../evaluate/subject.js';

/** Which positional (after the subcommand) names the package, per npm subcommand. */
const NPM_PACKAGE_AT: Record<string, (positionals: string[]) => string | undefined> = {
  'dist-tag': (p) => p[1],
  'dist-tags': (p) => p[1],
  owner: (p) => (p[0] === 'ls' || p[0] === 'list' ? p[1] : p[2]),
  author: (p) => (p[0] === 'ls' || p[0] === 'list' ? p[1] : p[2]),
};
const NPM_FIRST = new Set(['unpublish', 'deprecate', 'undeprecate', 'view', 'info', 'show', 'v']);

function versioned(scheme: string, name: string | undefined, version: string | undefined): string | undefined {
  if (!name || name.startsWith('-')) return undefined;
  return `${scheme}://${name}${version ? `@${version}` : ''}`;
}

function target(s: CommandSubject): string | undefined {
  const sub = s.argv.subcommand;
  const p = s.argv.positionals.map((w) => w.text);
  const version = s.argv.options.get('version')?.[0];
  switch (s.name) {
    case 'npm':
    case 'pnpm': {
      const verb = sub[0] ?? '';
      const name = NPM_FIRST.has(verb) ? p[0] : NPM_PACKAGE_AT[verb]?.(p);
      return versioned('npm', name, undefined);
    }
    case 'cargo':
      return sub[0] === 'yank' || sub[0] === 'owner' || sub[0] === 'info' ? versioned('crates', p[0], version) : undefined;
    case 'gem':
      return sub[0] === 'yank' || sub[0] === 'owner' || sub[0] === 'info' ? versioned('rubygems', p[0], version) : undefined;
    case 'nuget':
      return sub[0] === 'delete' ? versioned('nuget', p[0], p[1]) : undefined;
    case 'dotnet':
      return sub[0] === 'nuget' && sub[1] === 'delete' ? versioned('nuget', p[0], p[1]) : undefined;
    case 'skopeo':
    case 'crane':
    case 'regctl': {
      const ref = p.find((x) => x.includes('/'));
      return ref ? `oci://${ref.replace(/^docker:\/\//, '')}` : undefined;
    }
    default:
      return undefined;
  }
}

export function registryTargets(s: CommandSubject): void {
  const t = target(s);
  if (t) s.targets.push({ value: t, unknown: s.argv.positionals.some((w) => w.unknown && t.includes(w.text)) });
}
