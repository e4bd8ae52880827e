/**
 * The config plumbing each detector's `config.ts` uses: load the shipped `defaults.yaml`
 * (checked like any user config; a broken default stops the start) and build the factory's
 * `validate` (merge a partial config over a base, then check the result, reporting every
 * problem).
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { PermanentError } from '../../lib/errors.js';
import type { ConfigCheck } from '../detector.js';
import { mergeOver, type MergeOptions } from './config-merge.js';

/** Appends a problem per wrong field of a complete config. */
export type ConfigChecker<C> = (config: C, problems: string[]) => void;

export function loadDefaults<C>(file: URL, check: ConfigChecker<C>): C {
  const raw = parse(fs.readFileSync(file, 'utf8')) as C;
  const problems: string[] = [];
  check(raw, problems);
  if (problems.length > 0) {
    throw new PermanentError('DETECTOR_DEFAULTS_INVALID', `invalid detector defaults ${file.pathname}: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return deepFreeze(raw);
}

export function configValidator<C>(check: ConfigChecker<C>, options: MergeOptions = {}): (raw: unknown, base: C) => ConfigCheck<C> {
  return (raw, base) => {
    const problems: string[] = [];
    const config = mergeOver(raw ?? {}, base, problems, options);
    check(config, problems);
    return { config, problems };
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
