/**
 * Loads the detection policy at start: a YAML file (or the shipped `default-policy.yaml`),
 * checked against the registered detectors. Every problem in the file is reported at once, in a
 * PermanentError with code POLICY_INVALID and `details.problems`, so a bad policy stops the
 * start with the full list instead of one typo at a time.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { PermanentError } from '../../lib/errors.js';
import { DETECTOR_FACTORIES, type AnyDetectorFactory } from '../registry.js';
import { parsePolicy } from './parse-policy.js';
import type { Policy } from './policy-types.js';

export const POLICY_INVALID = 'POLICY_INVALID';
export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('./default-policy.yaml', import.meta.url));

/** Reads policy text; `source` names it in messages. */
export function parsePolicyText(text: string, source: string, factories: readonly AnyDetectorFactory[] = DETECTOR_FACTORIES): Policy {
  const problems: string[] = [];
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  for (const e of doc.errors) problems.push(`yaml: ${e.message}`);
  const policy = parsePolicy(doc.errors.length > 0 ? {} : doc.toJS(), source, factories, doc.errors.length > 0 ? [] : problems);
  if (problems.length > 0) {
    throw new PermanentError(POLICY_INVALID, `policy ${source} is invalid (${problems.length} problem${problems.length > 1 ? 's' : ''}): ${problems.join('; ')}`, {
      details: { source, problems },
    });
  }
  return policy;
}

export function loadPolicy(file: string = DEFAULT_POLICY_FILE, factories: readonly AnyDetectorFactory[] = DETECTOR_FACTORIES): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new PermanentError(POLICY_INVALID, `cannot read policy ${file}`, { cause, details: { source: file, problems: [`cannot read ${file}`] } });
  }
  return parsePolicyText(text, file, factories);
}

/** The shipped policy (`default-policy.yaml` beside this module). */
export function defaultPolicy(factories: readonly AnyDetectorFactory[] = DETECTOR_FACTORIES): Policy {
  return loadPolicy(DEFAULT_POLICY_FILE, factories);
}
