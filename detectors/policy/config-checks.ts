/**
 * Small value checks shared by every detector's config validation. Each takes the problem list,
 * the field's dotted path and the value as parsed (unknown: YAML may hold anything), appends a
 * problem naming the field when the value is wrong, and says whether it was right.
 */
import type { FindingSeverity } from '../finding.js';
import { isPlainObject } from './config-merge.js';

export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['low', 'medium', 'high', 'critical'];

export interface NumberRange {
  min?: number;
  max?: number;
  /** Strictly greater than. */
  above?: number;
  integer?: boolean;
}

export function checkNumber(problems: string[], path: string, value: unknown, range: NumberRange = {}): value is number {
  const fail = (why: string): false => {
    problems.push(`${path}: ${why} (got ${JSON.stringify(value)})`);
    return false;
  };
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail('must be a number');
  if (range.integer && !Number.isInteger(value)) return fail('must be a whole number');
  if (range.above !== undefined && !(value > range.above)) return fail(`must be greater than ${range.above}`);
  if (range.min !== undefined && value < range.min) return fail(`must be at least ${range.min}`);
  if (range.max !== undefined && value > range.max) return fail(`must be at most ${range.max}`);
  return true;
}

export function checkOneOf<T extends string>(problems: string[], path: string, value: unknown, allowed: readonly T[]): value is T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return true;
  problems.push(`${path}: must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  return false;
}

export function checkSeverity(problems: string[], path: string, value: unknown): value is FindingSeverity {
  return checkOneOf(problems, path, value, FINDING_SEVERITIES);
}

export function checkBoolean(problems: string[], path: string, value: unknown): value is boolean {
  if (typeof value === 'boolean') return true;
  problems.push(`${path}: must be true or false (got ${JSON.stringify(value)})`);
  return false;
}

export function checkString(problems: string[], path: string, value: unknown, nonEmpty = true): value is string {
  if (typeof value === 'string' && (!nonEmpty || value !== '')) return true;
  problems.push(`${path}: must be a${nonEmpty ? ' non-empty' : ''} string (got ${JSON.stringify(value)})`);
  return false;
}

export function checkStringList(problems: string[], path: string, value: unknown): value is string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')) return true;
  problems.push(`${path}: must be a list of non-empty strings`);
  return false;
}

/** A mapping from free keys to numbers within `range`. */
export function checkNumberMap(problems: string[], path: string, value: unknown, range: NumberRange = {}): value is Record<string, number> {
  if (!isPlainObject(value)) {
    problems.push(`${path}: must be a mapping of numbers`);
    return false;
  }
  let ok = true;
  for (const [key, v] of Object.entries(value)) ok = checkNumber(problems, `${path}.${key}`, v, range) && ok;
  return ok;
}

/** Every severity must be present with a number in `range`. */
export function checkSeverityNumbers(problems: string[], path: string, value: unknown, range: NumberRange = {}): value is Record<FindingSeverity, number> {
  if (!checkNumberMap(problems, path, value, range)) return false;
  let ok = true;
  for (const s of FINDING_SEVERITIES) {
    if (!(s in value)) {
      problems.push(`${path}.${s}: missing`);
      ok = false;
    }
  }
  for (const key of Object.keys(value)) {
    if (!(FINDING_SEVERITIES as readonly string[]).includes(key)) {
      problems.push(`${path}.${key}: not a severity (low, medium, high, critical)`);
      ok = false;
    }
  }
  return ok;
}
