/**
 * Knowledge as data: detectors keep their lexicons and pattern lists in YAML next to the code
 * and read them once, when the module loads (never while observing an event). A missing or
 * malformed file is a startup error with a stable code.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { PermanentError } from '../../lib/errors.js';

export const DETECTOR_DATA_INVALID = 'DETECTOR_DATA_INVALID';

/** Reads a YAML document relative to a module URL (`new URL('./defaults.yaml', import.meta.url)`). */
export function loadYamlData(url: URL): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(url, 'utf8'));
  } catch (cause) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `cannot read detector data ${url.pathname.split('/').slice(-2).join('/')}`, { cause });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `detector data ${url.pathname.split('/').slice(-2).join('/')} is not a mapping`);
  }
  return doc as Record<string, unknown>;
}

/** A list of strings from a data document, or a startup error naming the key. */
export function stringList(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new PermanentError(DETECTOR_DATA_INVALID, `detector data: ${key} must be a list of strings`);
  }
  return v as string[];
}
