/**
 * The severity of an unpreviewed apply follows the environment it targets: the environment the
 * event or the session declares, else the environments named in the apply's targets,
 * namespace, context, workspace, release and directory (the shared environment lexicon: whole
 * words, so `prod-eu-1` names production and `products` does not). When several are named, the
 * most severe mapping wins.
 */
import { environmentsIn } from '../common/environments.js';
import { SEVERITY_RANK, type FindingSeverity } from '../../model/finding.js';
import type { PreviewConfig } from './config.js';

export interface EnvironmentVerdict {
  name: string;
  severity: FindingSeverity;
  /** Where the environment was read from. */
  from: string;
}

function worst(texts: readonly string[], config: PreviewConfig): EnvironmentVerdict | undefined {
  let best: EnvironmentVerdict | undefined;
  for (const text of texts) {
    for (const env of environmentsIn(text, false)) {
      const severity = config.severity_by_environment[env];
      if (severity && (!best || SEVERITY_RANK[severity] > SEVERITY_RANK[best.severity])) best = { name: env, severity, from: `"${text}"` };
    }
  }
  return best;
}

export function environmentSeverity(declared: string, hints: readonly string[], config: PreviewConfig): EnvironmentVerdict {
  if (declared !== '') {
    const named = worst([declared], config);
    return named ? { ...named, from: `declared environment "${declared}"` } : { name: declared, severity: config.unknown_severity, from: `declared environment "${declared}"` };
  }
  return worst(hints, config) ?? { name: 'unknown', severity: config.unknown_severity, from: 'no environment declared or named' };
}
