/**
 * VCS hosting targets: `github://<owner>/<repo>` for gh and hub, `gitlab://<group…>/<project>`
 * for glab (`gitlab://projects/<id>` when the API names a project by id), `…://<org>` for
 * organisation-level commands (`--org`, `orgs/<org>/…`), and `…://current` when the command acts
 * on the repository of the working directory. The repository comes from `-R/--repo`, an API
 * endpoint (`repos/<owner>/<repo>/…`, `projects/<id>/…`), a web URL among the arguments, or an
 * `owner/repo` argument of a repository command (`gh repo delete o/r`, `hub delete o/r`).
 */
import type { CommandSubject } from '../evaluate/subject.js';

const SCHEME: Record<string, string> = { gh: 'github', hub: 'github', glab: 'gitlab' };
const SLUG = /^[\w.-]+(?:\/[\w.-]+)+$/;
const WEB = /^https?:\/\/[^/]+\/([\w.-]+(?:\/[\w.-]+)*?)(?:\/(?:-\/)?(?:issues|pull|pulls|merge_requests|releases|actions|tree|blob|commit|wiki)\b.*)?\/?$/;

function fromEndpoint(scheme: string, endpoint: string): string | undefined {
  const path = endpoint.replace(/^\//, '').split('?')[0]!;
  const repo = /^repos\/([^/]+)\/([^/]+)/.exec(path);
  if (repo) return `${scheme}://${repo[1]}/${repo[2]}`;
  const org = /^(?:orgs|groups)\/([^/]+)/.exec(path);
  if (org) return `${scheme}://${decodeURIComponent(org[1]!)}`;
  const project = /^projects\/([^/]+)/.exec(path);
  if (project) {
    const id = decodeURIComponent(project[1]!);
    return /^\d+$/.test(id) ? `${scheme}://projects/${id}` : `${scheme}://${id}`;
  }
  return undefined;
}

export function hostingTargets(s: CommandSubject): void {
  const scheme = SCHEME[s.name] ?? 'github';
  const o = s.argv.options;
  const add = (value: string, unknown = false): void => {
    if (!s.targets.some((t) => t.value === value)) s.targets.push({ value, unknown });
  };
  const repo = o.get('repo')?.[0];
  if (repo) add(`${scheme}://${repo.replace(/^https?:\/\/[^/]+\//, '').replace(/\.git$/, '')}`);
  const org = o.get('org')?.[0];
  if (org) add(`${scheme}://${org}`);
  const [group, verb] = s.argv.subcommand;
  if (group === 'api' && verb) {
    const t = fromEndpoint(scheme, verb);
    if (t) add(t);
  }
  for (const p of s.argv.positionals) {
    const web = WEB.exec(p.text);
    if (web) add(`${scheme}://${web[1]!.replace(/\.git$/, '')}`, p.unknown);
  }
  const repoCommand = s.name === 'hub' || group === 'repo';
  if (repoCommand && s.targets.length === 0) {
    const slug = s.argv.positionals.find((p) => SLUG.test(p.text));
    if (slug) add(`${scheme}://${slug.text}`, slug.unknown);
  }
  if (s.targets.length === 0) add(`${scheme}://current`);
}
