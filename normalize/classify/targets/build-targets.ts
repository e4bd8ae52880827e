/**
 * Picks the target builder a command spec names (`targets:` in the rule files) and runs it.
 */
import type { CommandSubject } from '../evaluate/subject.js';
import { awsTargets, azTargets, gcloudTargets } from './cloud-targets.js';
import { helmTargets, kubernetesTargets } from './cluster-targets.js';
import { hostingTargets } from './hosting-targets.js';
import { registryTargets } from './registry-targets.js';
import { secretTargets } from './secret-targets.js';
import { ddTargets, dockerTargets, findTargets, pathTargets, redisTargets, urlTargets } from './local-targets.js';
import { gitTargets, terraformTargets } from './vcs-infra-targets.js';

type Builder = (s: CommandSubject, cwd: string) => void;

const BUILDERS: Record<string, Builder> = {
  none: () => undefined,
  paths: pathTargets,
  last_path: (s, cwd) => {
    pathTargets(s, cwd);
    s.targets = s.targets.slice(-1);
  },
  find: findTargets,
  dd: ddTargets,
  kubernetes: kubernetesTargets,
  helm: helmTargets,
  aws: awsTargets,
  gcloud: gcloudTargets,
  az: azTargets,
  git: gitTargets,
  hosting: hostingTargets,
  registry: registryTargets,
  secrets: secretTargets,
  terraform: terraformTargets,
  docker: dockerTargets,
  redis: redisTargets,
  url: urlTargets,
  sql_client: (s) => {
    const db = s.argv.options.get('database')?.[0];
    if (db) s.targets.push({ value: `db://${String(s.spec?.extra.engine ?? 'sql')}/${db}`, unknown: false });
  },
};

export function buildTargets(s: CommandSubject, cwd: string): void {
  const builder = BUILDERS[s.spec?.targets ?? 'none'] ?? BUILDERS.none!;
  builder(s, cwd);
}
