/**
 * Knowledge as data: detectors keep their lexicons and pattern lists in YAML next to the code
 * and read them once, when the module loads (never while observing an event). A missing or
 * malformed file is a startup error with a stable code.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { PermanentError } from '../../lib/errors.js';
import type { ConfigCheck } from '../detector.js';

export const DETECTOR_DATA_INVALID = 'DETECTOR_DATA_INVALID';

function fileName(url: URL): string {
  return url.pathname.split('/').slice(-2).join('/');
}

/** Reads a YAML document relative to a module URL (`new URL('./defaults.yaml', import.meta.url)`). */
export function loadYamlData(url: URL): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(url, 'utf8'));
  } catch (cause) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `cannot read detector data ${fileName(url)}`, { cause });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `detector data ${fileName(url)} is not a mapping`);
  }
  return doc as Record<string, unknown>;
}

/**
 * A detector's defaults: its `defaults.yaml` read through the detector's own validation (the
 * one a policy override goes through), so a broken file stops the start with the same
 * field-named problems, all of them. Frozen: resolved configs share the parts no override sets.
 */
export function loadDefaults<C>(url: URL, read: (raw: unknown) => ConfigCheck<C>): C {
  const { config, problems } = read(loadYamlData(url));
  if (problems.length > 0) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `detector data ${fileName(url)} is invalid: ${problems.join('; ')}`, { details: { problems } });
  }
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A list of strings from a data document, or a startup error naming the key. */
export function stringList(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `detector data: ${key} must be a list of strings`);
  }
  return v as string[];
}
