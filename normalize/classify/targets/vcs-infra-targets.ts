/**
 * Git and Terraform targets. `git push` names `git://<remote>/refs/heads/<branch>` per refspec
 * (`+main` is a forced update, `:old` a deletion: both become flags so rules read them like
 * `--force`/`--delete`), or `git://<remote>/HEAD` without a refspec. Local git operations
 * target the repository folder (`-C dir`, else cwd); `branch -D x` targets
 * `git://local/refs/heads/x`. Terraform: `tf://<dir>/<address>` for each `-target=`,
 * `state rm` address, else `tf://<dir>/*`.
 */
import type { CommandSubject } from '../evaluate/subject.js';
import { resolvePath } from './paths.js';

function branchOf(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

function refTarget(remote: string, ref: string): string {
  return ref.startsWith('refs/') ? `git://${remote}/${ref}` : `git://${remote}/refs/heads/${ref}`;
}

export function gitTargets(s: CommandSubject, cwd: string): void {
  const repo = resolvePath(s.argv.options.get('C')?.[0] ?? '.', cwd);
  const sub = s.argv.subcommand[0] ?? '';
  const pos = s.argv.positionals.map((p) => p.text);
  if (sub === 'push') {
    const remote = pos[0] ?? 'origin';
    const specs = pos.slice(1);
    if (s.argv.flags.has('all') || s.argv.flags.has('mirror')) {
      s.targets.push({ value: `git://${remote}/refs/*`, unknown: false });
      s.refs.push('*');
      return;
    }
    if (specs.length === 0) {
      s.noRef = true;
      s.targets.push({ value: `git://${remote}/HEAD`, unknown: false });
      return;
    }
    for (let spec of specs) {
      if (spec.startsWith('+')) {
        s.argv.flags.add('force');
        spec = spec.slice(1);
      }
      const colon = spec.indexOf(':');
      let dst = colon >= 0 ? spec.slice(colon + 1) : spec;
      if (colon === 0) s.argv.flags.add('delete');
      if (dst === '' || dst === 'HEAD') dst = colon > 0 ? spec.slice(0, colon) : dst;
      if (dst === '' || dst === 'HEAD') {
        s.noRef = true;
        s.targets.push({ value: `git://${remote}/HEAD`, unknown: false });
        continue;
      }
      s.refs.push(branchOf(dst));
      s.targets.push({ value: refTarget(remote, dst), unknown: false });
    }
    return;
  }
  if (sub === 'branch' && pos.length > 0 && (s.argv.flags.has('delete') || s.argv.flags.has('force_delete'))) {
    for (const b of pos) {
      s.refs.push(b);
      s.targets.push({ value: `git://local/refs/heads/${b}`, unknown: false });
    }
    return;
  }
  s.targets.push({ value: repo, unknown: false });
}

export function terraformTargets(s: CommandSubject, cwd: string): void {
  const dir = resolvePath(s.argv.options.get('chdir')?.[0] ?? '.', cwd) || '.';
  const addresses = [...(s.argv.options.get('target') ?? [])];
  if (s.argv.subcommand[0] === 'state' && ['rm', 'mv'].includes(s.argv.positionals[0]?.text ?? '')) {
    addresses.push(...s.argv.positionals.slice(1).map((p) => p.text));
  }
  if (addresses.length === 0) s.targets.push({ value: `tf://${dir}/*`, unknown: false });
  else for (const a of addresses) s.targets.push({ value: `tf://${dir}/${a}`, unknown: false });
}
