/**
 * Cloud targets. AWS: `aws://<account>/<region>/<service>/<id>` with the account `current`
 * unless `--profile` names one and the region from `--region` (else `default`); `s3://b/p`
 * arguments become `aws://<account>/global/s3/b/p`; ids come from options named like ids
 * (`--instance-ids`, `--table-name`, `--db-instance-identifier`, `--bucket`, `--*-arn`).
 * GCP: `gcp://<project>/<zone|region|global>/<group…>/<name>`, `gs://` -> storage.
 * Azure: `azure://<subscription>/<resource-group>/<group…>/<name>`.
 */
import type { CommandSubject } from '../evaluate/subject.js';

const ID_OPTION = /^--(?:[a-z0-9-]*-)?(?:ids?|names?|identifier|arn|bucket|key|cluster|repository-name)$/;

export function awsTargets(s: CommandSubject): void {
  const o = s.argv.options;
  const account = o.get('--profile')?.[0] ?? 'current';
  const region = o.get('--region')?.[0] ?? 'default';
  const service = s.argv.subcommand[0] ?? '';
  for (const p of s.argv.positionals) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(p.text);
    if (m) s.targets.push({ value: `aws://${account}/global/s3/${m[1]}${m[2] ? `/${m[2].replace(/\/+$/, '')}` : ''}`, unknown: p.unknown });
  }
  for (const [name, values] of o) {
    if (!ID_OPTION.test(name) || name === '--profile') continue;
    for (const v of values) {
      for (const id of v.split(',')) {
        if (id) s.targets.push({ value: `aws://${account}/${service === 's3api' || service === 's3' ? 'global' : region}/${service === 's3api' ? 's3' : service}/${id}`, unknown: false });
      }
    }
  }
  if (s.targets.length === 0 && service) s.targets.push({ value: `aws://${account}/${region}/${service}/*`, unknown: false });
}

const GCP_VERBS = new Set(['delete', 'describe', 'list', 'create', 'update', 'get', 'set', 'add', 'remove', 'rm', 'ls', 'cp', 'mv', 'deploy', 'start', 'stop', 'reset', 'resize', 'get-credentials', 'disable', 'enable']);

function groupAndName(words: string[]): { group: string[]; name: string } {
  const verbAt = words.findIndex((w) => GCP_VERBS.has(w));
  if (verbAt < 0) return { group: words, name: '*' };
  return { group: words.slice(0, verbAt), name: words[verbAt + 1] ?? '*' };
}

export function gcloudTargets(s: CommandSubject): void {
  const o = s.argv.options;
  const project = o.get('--project')?.[0] ?? 'current';
  const location = o.get('--zone')?.[0] ?? o.get('--region')?.[0] ?? o.get('--location')?.[0] ?? 'global';
  const words = s.argv.positionals.map((p) => p.text);
  const storage = words.filter((w) => w.startsWith('gs://'));
  if (storage.length > 0) {
    for (const w of storage) s.targets.push({ value: `gcp://${project}/global/storage/${w.slice(5).replace(/\/+$/, '')}`, unknown: false });
    return;
  }
  const { group, name } = groupAndName(words.filter((w) => !w.includes('://')));
  if (group[0] === 'projects') s.targets.push({ value: `gcp://${name === '*' ? project : name}`, unknown: false });
  else s.targets.push({ value: `gcp://${project}/${location}/${group.join('/')}/${name}`, unknown: false });
}

export function azTargets(s: CommandSubject): void {
  const o = s.argv.options;
  const sub = o.get('--subscription')?.[0] ?? 'current';
  const rg = o.get('resource_group')?.[0];
  const words = s.argv.positionals.map((p) => p.text);
  const { group } = groupAndName(words);
  const name = o.get('name')?.[0] ?? '*';
  if (group[0] === 'group') s.targets.push({ value: `azure://${sub}/${o.get('name')?.[0] ?? rg ?? '*'}`, unknown: false });
  else s.targets.push({ value: `azure://${sub}/${rg ?? '*'}/${group.join('/')}/${name}`, unknown: false });
}
