/**
 * Decode limits: how much a single OTLP export request may hold before it is refused. They bound
 * memory and CPU per request (a 16 MiB body cannot expand into a 10,000-level value tree or a
 * million attributes). Each limit has its own error code (see otlp-errors.ts).
 */
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

export interface DecodeLimits {
  /** Largest body accepted, in bytes (after gunzip). */
  maxBytes: number;
  /** Most spans or log records in one request. */
  maxRecords: number;
  /** Deepest AnyValue nesting (arrays and kvlists); a scalar value has depth 1. */
  maxDepth: number;
  /** Most entries in one attribute list (resource, scope, record, event) or kvlist value. */
  maxAttributes: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  maxRecords: 100_000,
  maxDepth: 32,
  maxAttributes: 1024,
});

/** Fills in defaults and checks every limit at once; `Infinity` is allowed (no limit). */
export function resolveDecodeLimits(partial: Partial<DecodeLimits> = {}): DecodeLimits {
  const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS };
  const problems: string[] = [];
  for (const key of Object.keys(DEFAULT_DECODE_LIMITS) as (keyof DecodeLimits)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 1) || (!Number.isInteger(value) && value !== Infinity)) {
      problems.push(`${key} must be a positive integer, got ${String(value)}`);
    } else {
      limits[key] = value;
    }
  }
  if (problems.length > 0) {
    throw otlpError(OtlpErrorCode.INVALID_LIMITS, problems.join('; '), { problems });
  }
  return limits;
}
