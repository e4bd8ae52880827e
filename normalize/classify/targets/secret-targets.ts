/**
 * Secrets-manager targets, naming where a secret lives and never its value: `vault://<mount>/<path>`
 * (Vault; `-mount=` joined in front), `op://<vault>/<item>` (1Password; `*` when no vault is
 * given, `op://…` references kept as written), `doppler://<project>/<config>/<NAME>` (Doppler;
 * `current` for what the directory's setup picks; `NAME=value` arguments keep only the name).
 * Tokens (`vault token revoke <token>`) are not targets: they are secrets themselves.
 */
import type { CommandSubject } from '../evaluate/subject.js';

const trim = (p: string): string => p.replace(/^\/+|\/+$/g, '');

function vaultPaths(s: CommandSubject, p: string[]): string[] {
  const [sub] = s.argv.subcommand;
  const mount = s.argv.options.get('mount')?.[0];
  const at = (path: string | undefined): string[] => (path ? [`vault://${trim(mount ? `${trim(mount)}/${path}` : path)}`] : []);
  switch (sub) {
    case 'kv':
      return at(p[0] === 'metadata' ? p[2] : p[1]);
    case 'read':
    case 'write':
    case 'delete':
    case 'list':
    case 'patch':
      return at(p[0]);
    case 'secrets':
    case 'auth':
      return p[0] === 'enable' ? at(s.argv.options.get('address')?.[0]) : at(p[1]);
    case 'policy':
      return p[1] ? [`vault://sys/policy/${p[1]}`] : [];
    case 'lease':
      return at(p[1]);
    default:
      return [];
  }
}

function onePasswordPaths(s: CommandSubject, p: string[]): string[] {
  const refs = p.filter((x) => x.startsWith('op://'));
  if (refs.length > 0) return refs;
  const [sub] = s.argv.subcommand;
  if (sub === 'vault' && p[1]) return [`op://${p[1]}`];
  if ((sub === 'item' || sub === 'document') && p[1] && p[0] !== 'create' && p[0] !== 'list' && p[0] !== 'ls') {
    return [`op://${s.argv.options.get('vault')?.[0] ?? '*'}/${p[1]}`];
  }
  return [];
}

function dopplerPaths(s: CommandSubject, p: string[]): string[] {
  const [sub] = s.argv.subcommand;
  const project = s.argv.options.get('project')?.[0] ?? 'current';
  const config = s.argv.options.get('config')?.[0] ?? 'current';
  if (sub === 'secrets' && ['get', 'delete', 'rm', 'set'].includes(p[0] ?? '')) {
    return p.slice(1).map((x) => `doppler://${project}/${config}/${x.split('=')[0]}`);
  }
  if ((sub === 'projects' || sub === 'environments') && ['delete', 'rm', 'get'].includes(p[0] ?? '') && p[1]) return [`doppler://${p[1]}`];
  if (sub === 'configs' && ['delete', 'rm', 'get'].includes(p[0] ?? '') && p[1]) return [`doppler://${project}/${p[1]}`];
  return [];
}

export function secretTargets(s: CommandSubject): void {
  const p = s.argv.positionals.filter((w) => !w.unknown).map((w) => w.text);
  const values = s.name === 'vault' ? vaultPaths(s, p) : s.name === 'op' ? onePasswordPaths(s, p) : s.name === 'doppler' ? dopplerPaths(s, p) : [];
  for (const value of values) s.targets.push({ value, unknown: false });
}
